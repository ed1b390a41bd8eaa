/**
 * A pushbench scenario as Artillery 2.0.21 scripts: one script per protocol (each protocol is
 * its own test, as each pushbench protocol run has its own server) plus the shared processor
 * (artillery-processor.cjs bundled with the client core by esbuild: one CommonJS file, no
 * dependency, docs/clients.md "One delivery core"). Clients arrive evenly over the ramp-up
 * (`arrivalCount`), then each virtual user loops until the end of the measured duration.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bundleText } from '../clients/bundle.ts';
import { requestHeaders } from '../clients/headers.ts';
import { SERVER_DEFAULTS } from '../core/defaults.ts';
import type { ProtocolName } from '../core/types.ts';
import { clientsFor, type Scenario } from '../scenarios/schema.ts';

/** The processor file name next to the scripts. */
export const PROCESSOR_FILE = 'pushbench-processor.cjs';
const PROCESSOR_SOURCE = fileURLToPath(new URL('./artillery-processor.cjs', import.meta.url));
const PROCESSOR_HEADER =
  '// pushbench processor for Artillery 2.0.21: engines/artillery-processor.cjs with the client\n' +
  '// core (clients/core/) bundled in by esbuild when the scripts were exported.\n';

/** The processor as exported: engines/artillery-processor.cjs and the client core, one CommonJS file. */
export function processorSource(): string {
  return PROCESSOR_HEADER + bundleText({ entry: PROCESSOR_SOURCE, format: 'cjs', platform: 'node' });
}
/** Used when no --target is given: a `pushbench serve` on its default port. */
export const DEFAULT_ARTILLERY_TARGET = `http://${SERVER_DEFAULTS.host}:${SERVER_DEFAULTS.port}`;

/** What `config.variables.pushbench` carries to the processor (units in the names). */
export interface ProcessorSettings {
  protocol: ProtocolName;
  scenario: string;
  rampMs: number;
  warmUpMs: number;
  durationMs: number;
  pollIntervalMs: number;
  longPollWaitMs: number;
  heartbeat: { intervalMs: number; timeoutMs: number; giveUp: 'terminate' | 'close' };
  backoff: { initialMs: number; factor: number; maxMs: number; jitter: number };
  sseIdleMs: number;
  sseHeaders: Record<string, string>;
  wsOptions: { headers: Record<string, string> };
}

export interface ArtilleryScript {
  config: Record<string, unknown>;
  scenarios: Array<Record<string, unknown>>;
}

/** Ramp-up as Artillery sees it: whole seconds, at least one. */
export function rampSeconds(s: Scenario): number {
  return Math.max(1, Math.ceil(s.rampUpMs / 1000));
}

function settings(s: Scenario, protocol: ProtocolName, target: string): ProcessorSettings {
  return {
    protocol,
    scenario: s.name,
    rampMs: rampSeconds(s) * 1000,
    warmUpMs: s.warmUpMs,
    durationMs: s.durationMs,
    pollIntervalMs: s.poll.intervalMs,
    longPollWaitMs: s.longPoll.waitMs,
    heartbeat: {
      intervalMs: s.heartbeat.intervalMs,
      timeoutMs: s.heartbeat.timeoutMs,
      giveUp: s.heartbeat.giveUp,
    },
    backoff: { ...s.backoff },
    sseIdleMs: s.sse.keepAliveMs * s.sse.idleFactor,
    sseHeaders: requestHeaders(s.headers, 'sse', target),
    wsOptions: { headers: requestHeaders(s.headers, 'ws', target) },
  };
}

/** The flow of one protocol: every step is a processor function or a plain request. */
function flowFor(protocol: ProtocolName, s: Scenario, target: string): Record<string, unknown> {
  if (protocol === 'websocket') {
    return {
      name: protocol,
      engine: 'ws',
      flow: [
        { connect: { function: 'pbWsConnect' } },
        { function: 'pbWsAttach' },
        // The heartbeat loop: ping, wait one interval; a missing pong reconnects with resume.
        { loop: [{ function: 'pbWsPing' }, { function: 'pbHeartbeatWait' }], whileTrue: 'pbRunning' },
        { function: 'pbEnd' },
      ],
    };
  }
  if (protocol === 'sse') {
    // Artillery has no SSE engine: the processor holds the stream itself (node:http).
    return { name: protocol, flow: [{ function: 'pbSseSession' }, { function: 'pbEnd' }] };
  }
  const headers = requestHeaders(s.headers, 'poll', target);
  const get = {
    url: `/${protocol === 'short-poll' ? 'poll' : 'long-poll'}?{{ pbQuery }}`,
    afterResponse: 'pbPollAnswer',
    ...(Object.keys(headers).length ? { headers } : {}),
  };
  return {
    name: protocol,
    flow: [
      { function: 'pbPollPrepare' },
      { loop: [{ get }, { function: 'pbPollPrepare' }], whileTrue: 'pbRunning' },
      { function: 'pbEnd' },
    ],
  };
}

/** The Artillery script reproducing `protocol`'s clients of scenario `s` against `target`. */
export function artilleryScript(s: Scenario, protocol: ProtocolName, target: string): ArtilleryScript {
  const timeoutMs = protocol === 'long-poll' ? s.longPoll.waitMs + s.longPoll.marginMs : s.poll.timeoutMs;
  return {
    config: {
      target,
      processor: `./${PROCESSOR_FILE}`,
      phases: [{ name: 'ramp-up', duration: rampSeconds(s), arrivalCount: clientsFor(s, protocol) }],
      http: { timeout: Math.ceil(timeoutMs / 1000) },
      ws: { headers: requestHeaders(s.headers, 'ws', target) },
      variables: { pushbench: settings(s, protocol, target) },
    },
    scenarios: [flowFor(protocol, s, target)],
  };
}

/** What the export cannot reproduce, for the header comment and the run's notes. */
export function exportCaveats(s: Scenario): string[] {
  const out: string[] = [];
  if (s.source.mode === 'addressed')
    out.push('addressed messages: virtual users pick their own ids, so only broadcast is reproduced');
  if (s.network)
    out.push('network conditions (latency/bandwidth) need the pushbench fault proxy: not applied');
  if (s.faults.length) out.push('the fault timeline needs the pushbench fault proxy: not applied');
  return out;
}

function header(s: Scenario, protocol: ProtocolName): string {
  const lines = [
    `Artillery 2.0.21 script generated by pushbench from scenario "${s.name}", protocol ${protocol}.`,
    `${clientsFor(s, protocol)} clients arrive over ${rampSeconds(s)} s, then stay ` +
      `${(s.warmUpMs + s.durationMs) / 1000} s (warm-up + measured); the server publishes.`,
    `Run: artillery run --target http://HOST:PORT --output out.json <this file>`,
    'Back into a report: pushbench artillery convert out.json',
    'Push latency, messages and bytes are custom metrics (pushbench.<protocol>.*) from the processor.',
    ...exportCaveats(s).map((c) => `Not reproduced: ${c}.`),
  ];
  return lines.map((l) => `# ${l}`).join('\n');
}

/** The script as YAML text with an explanatory header. */
export function artilleryYaml(s: Scenario, protocol: ProtocolName, target: string): string {
  return `${header(s, protocol)}\n${stringify(artilleryScript(s, protocol, target), { lineWidth: 0 })}`;
}

/** File name of one protocol's script. */
export function scriptFileName(s: Scenario, protocol: ProtocolName): string {
  return `${s.name}.${protocol}.yml`;
}

/** Write one script per protocol of `s` and the processor into `dir`; returns the script paths. */
export async function writeArtilleryFiles(
  s: Scenario,
  dir: string,
  target = DEFAULT_ARTILLERY_TARGET,
  protocols: ProtocolName[] = s.protocols,
): Promise<Map<ProtocolName, string>> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, PROCESSOR_FILE), processorSource());
  const out = new Map<ProtocolName, string>();
  for (const protocol of protocols) {
    const file = path.join(dir, scriptFileName(s, protocol));
    await writeFile(file, artilleryYaml(s, protocol, target));
    out.set(protocol, file);
  }
  return out;
}
