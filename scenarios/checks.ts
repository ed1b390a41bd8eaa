/**
 * Semantic checks on a resolved scenario — the rules a JSON Schema cannot express:
 * positive durations, faults inside the duration, shares within the client count,
 * the open-files budget of a generator process. Paths are the YAML's (`faults[0].for`).
 */
import { SERVER_DEFAULTS } from '../core/defaults.ts';
import { toxicDefinition } from '../network/spec.ts';
import {
  FAULT_PARAMS,
  humanMs,
  type ProblemList,
  type ProblemPath,
  type Scenario,
  type ScenarioFault,
} from './schema.ts';
import { checkTarget } from './target.ts';

/** Bounds that come from the machine and the servers, not from taste. */
export const SCENARIO_LIMITS = {
  /** The server process holds one file per connection; 20,000 open files per process, minus headroom. */
  maxClientsPerRun: 18_000,
  /** Open files a generator may use for its clients (of its 20,000). */
  filesPerGenerator: 18_000,
  /** A client behind the fault proxy costs its generator 3 files (client socket, two proxy sockets). */
  filesPerProxiedClient: 3,
  maxWorkers: 16,
  maxDurationMs: 24 * 3_600_000,
  maxRatePerS: 100_000,
  maxSizeBytes: 1024 * 1024,
  maxLongPollWaitMs: SERVER_DEFAULTS.longPollMaxWaitMs,
};

/** Whether the runner must put the fault proxy between clients and server. */
export function needsFaultProxy(s: Scenario): boolean {
  return s.network !== null || s.faults.length > 0 || s.browsers > 0;
}

/** Clients one generator process can host within its open-files budget. */
export function clientsPerGenerator(s: Scenario): number {
  const proxied = s.network !== null || s.faults.length > 0;
  return Math.floor(
    SCENARIO_LIMITS.filesPerGenerator / (proxied ? SCENARIO_LIMITS.filesPerProxiedClient : 1),
  );
}

/** Fewest generator processes that keep each within its open-files budget. */
export function minWorkers(s: Scenario): number {
  return Math.max(1, Math.ceil(s.clients / clientsPerGenerator(s)));
}

/** Add every semantic problem of a resolved scenario to `problems`. */
export function checkScenario(s: Scenario, problems: ProblemList): void {
  checkRun(s, problems);
  checkSettings(s, problems);
  checkNetwork(s, problems);
  for (const [i, fault] of s.faults.entries()) checkFault(s, fault, ['faults', i], problems);
  if (s.target) checkTarget(s.target, s, problems);
}

/**
 * The longest a client of `protocol` can take to notice a dead connection or get its next
 * answer (a poll interval + its timeout, a held long poll, SSE silence, a missed pong or
 * Socket.IO ping), plus
 * the backoff ceiling: the slowest path to a message. docs/scenarios.md "drain".
 */
export function slowestPathMs(s: Scenario, protocol: Scenario['protocols'][number]): number {
  const pathMs: Record<Scenario['protocols'][number], number> = {
    'short-poll': s.poll.intervalMs + s.poll.timeoutMs,
    'long-poll': s.longPoll.waitMs + s.longPoll.marginMs,
    sse: s.sse.keepAliveMs * s.sse.idleFactor,
    websocket: s.heartbeat.intervalMs + s.heartbeat.timeoutMs,
    'socket.io': s.socketio.pingIntervalMs + s.socketio.pingTimeoutMs,
  };
  return pathMs[protocol] + s.backoff.maxMs;
}

/** Warnings (not errors): fault windows that end too close to the end of the run to recover in it. */
export function recoveryWarnings(s: Scenario): string[] {
  const out: string[] = [];
  const needMs = Math.max(0, ...s.protocols.map((p) => slowestPathMs(s, p)));
  for (const [i, f] of s.faults.entries()) {
    const leftMs = s.durationMs - (f.atMs + f.forMs);
    if (leftMs >= needMs) continue;
    out.push(
      `faults[${i}] ends ${humanMs(Math.max(0, leftMs))} before the end of the run, but recovering can take up to ${humanMs(needMs)} ` +
        '(detection or next answer + backoff ceiling): clients may still be recovering when the source stops, and the drain (up to its limit) decides whether they count as lost',
    );
  }
  return out;
}

function positive(problems: ProblemList, path: ProblemPath, value: number): void {
  if (!(value > 0)) problems.add(path, 'must be more than 0');
}

function checkRun(s: Scenario, problems: ProblemList): void {
  const L = SCENARIO_LIMITS;
  positive(problems, ['duration'], s.durationMs);
  if (s.durationMs > L.maxDurationMs)
    problems.add(['duration'], `must be at most ${humanMs(L.maxDurationMs)}`);
  const counts = s.protocols.map((p) => [p, s.clientsByProtocol[p] ?? s.clients] as const);
  const uniform = new Set(counts.map(([, n]) => n)).size === 1;
  for (const [protocol, n] of counts) {
    if (n <= L.maxClientsPerRun) continue;
    const what = uniform ? `${n} clients` : `${n} ${protocol} clients`;
    problems.add(
      ['clients'],
      `${what} is more than ${L.maxClientsPerRun} per run (a process opens at most 20,000 files)`,
    );
  }
  if (s.workers !== undefined && s.workers < minWorkers(s)) {
    problems.add(
      ['workers'],
      `${s.workers} generator(s) cannot hold ${s.clients} clients within 20,000 open files` +
        ` (${clientsPerGenerator(s)} per generator here; ${L.filesPerProxiedClient} files per client behind the fault proxy):` +
        ` use at least ${minWorkers(s)}`,
    );
  }
  if (s.workers !== undefined && s.workers > s.clients) {
    problems.add(['workers'], `more generators (${s.workers}) than clients (${s.clients})`);
  }
  if (s.source.ratePerS > L.maxRatePerS)
    problems.add(['source', 'rate'], `must be at most ${L.maxRatePerS}/s`);
  if (s.source.sizeBytes > L.maxSizeBytes) problems.add(['source', 'size'], 'must be at most 1MiB');
}

function checkSettings(s: Scenario, problems: ProblemList): void {
  positive(problems, ['poll', 'interval'], s.poll.intervalMs);
  positive(problems, ['poll', 'timeout'], s.poll.timeoutMs);
  positive(problems, ['longPoll', 'margin'], s.longPoll.marginMs);
  if (s.longPoll.waitMs > SCENARIO_LIMITS.maxLongPollWaitMs) {
    problems.add(
      ['longPoll', 'wait'],
      `must be at most ${humanMs(SCENARIO_LIMITS.maxLongPollWaitMs)} (the server's cap)`,
    );
  }
  positive(problems, ['sse', 'keepAlive'], s.sse.keepAliveMs);
  positive(problems, ['heartbeat', 'interval'], s.heartbeat.intervalMs);
  positive(problems, ['heartbeat', 'timeout'], s.heartbeat.timeoutMs);
  positive(problems, ['backoff', 'initial'], s.backoff.initialMs);
  if (s.backoff.maxMs < s.backoff.initialMs) {
    problems.add(
      ['backoff', 'max'],
      `${humanMs(s.backoff.maxMs)} is less than initial (${humanMs(s.backoff.initialMs)})`,
      [['backoff', 'initial']],
    );
  }
  positive(problems, ['server', 'pingInterval'], s.server.serverPingIntervalMs);
  positive(problems, ['server', 'retentionAge'], s.server.retentionMs);
  positive(problems, ['saturation', 'eventLoopP99'], s.saturation.eventLoopP99Ms);
}

function checkJitter(problems: ProblemList, base: ProblemPath, latencyMs: number, jitterMs: number): void {
  if (jitterMs > latencyMs) {
    problems.add(
      [...base, 'jitter'],
      `${humanMs(jitterMs)} is more than latency (${humanMs(latencyMs)}): delays would go negative`,
      [[...base, 'latency']],
    );
  }
}

function checkNetwork(s: Scenario, problems: ProblemList): void {
  if (!s.network) return;
  checkJitter(problems, ['network'], s.network.latencyMs, s.network.jitterMs);
  if (s.network.rateKbps !== undefined) positive(problems, ['network', 'bandwidth'], s.network.rateKbps);
}

function checkFault(s: Scenario, f: ScenarioFault, base: ProblemPath, problems: ProblemList): void {
  const dur: ProblemPath = ['duration'];
  if (f.atMs >= s.durationMs) {
    problems.add(
      [...base, 'at'],
      `${humanMs(f.atMs)} is not within the duration (${humanMs(s.durationMs)})`,
      [dur],
    );
  } else if (f.atMs + f.forMs > s.durationMs) {
    const endMs = f.atMs + f.forMs;
    const rule = `the fault ends at ${humanMs(endMs)}, after the duration (${humanMs(s.durationMs)})`;
    problems.add([...base, 'for'], rule, [dur, [...base, 'at']]);
  }
  if (f.forMs <= 0 && f.kind !== 'reset' && f.kind !== 'close') {
    const rule = `must be more than 0 for ${f.kind} (0s is a single shot: reset and close only)`;
    problems.add([...base, 'for'], rule, [[...base, 'kind']]);
  }
  checkShare(s, f, [...base, 'clients'], problems);
  checkFaultParams(f, base, problems);
}

/** Direction and parameter bounds as the fault proxy's registry states them, in the YAML's units. */
function checkFaultParams(f: ScenarioFault, base: ProblemPath, problems: ProblemList): void {
  const def = toxicDefinition(f.kind);
  const dependsOn = [[...base, 'kind']];
  if (def.scope === 'connection' && f.direction !== 'both') {
    problems.add([...base, 'direction'], `${f.kind} acts on the whole connection: only both`, dependsOn);
  }
  for (const [yamlKey, spec] of Object.entries(FAULT_PARAMS[f.kind])) {
    const rule = def.params[spec.key];
    const value = f.params[spec.key];
    if (!rule || value === undefined) continue;
    const show = (n: number) => (spec.unit === 'duration' ? humanMs(n) : `${n}kbps`);
    if (rule.exclusiveMin ? value <= rule.min : value < rule.min) {
      problems.add(
        [...base, yamlKey],
        `must be ${rule.exclusiveMin ? 'more than' : 'at least'} ${show(rule.min)}`,
        dependsOn,
      );
    } else if (value > rule.max) {
      problems.add([...base, yamlKey], `must be at most ${show(rule.max)}`, dependsOn);
    }
  }
  if (f.kind === 'latency') checkJitter(problems, base, f.params.latencyMs, f.params.jitterMs);
}

function checkShare(s: Scenario, f: ScenarioFault, path: ProblemPath, problems: ProblemList): void {
  if ('percent' in f.clients) {
    if (f.clients.percent > 100) problems.add(path, 'must be at most 100%');
    else if (f.clients.percent <= 0) problems.add(path, 'must be more than 0%');
    return;
  }
  const fewest = Math.min(...s.protocols.map((p) => s.clientsByProtocol[p] ?? s.clients));
  if (f.clients.count < 1) problems.add(path, 'must be at least 1 client');
  else if (f.clients.count > fewest) {
    problems.add(path, `${f.clients.count} is more than the clients of a run (${fewest})`, [['clients']]);
  }
}
