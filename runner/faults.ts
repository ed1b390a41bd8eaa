/**
 * The generator's side of the network: a FaultProxy in front of the server, one lane per
 * set of faults a client is subject to ("clean", "f0", "f0.2"…), always-on conditions on
 * every lane, and each fault applied and removed on its window (absolute epoch ms).
 */
import { nowMs } from '../core/clock.ts';
import { FaultProxy } from '../network/proxy.ts';
import type { FaultKind, FaultSpec } from '../network/spec.ts';

/** A fault as the runner hands it to one generator: absolute window, this worker's clients. */
export interface GeneratorFault {
  kind: string;
  startMs: number;
  endMs: number;
  direction: 'up' | 'down' | 'both';
  params: Record<string, number>;
  clientIds: string[];
}

/** Always-on conditions (scenario `network`). */
export interface NetworkConditions {
  latencyMs: number;
  jitterMs: number;
  rateKbps?: number;
}

/** When the proxy really applied and removed fault `fault` (index in the scenario), epoch ms. */
export interface FaultApplied {
  fault: number;
  appliedAtMs: number;
  removedAtMs?: number;
}

export interface NetworkPlan {
  proxy: FaultProxy;
  /** Faults as the proxy applied them (a fault none of this worker's clients is in is absent). */
  applied: FaultApplied[];
  /** Base URL a client connects to: its lane on the proxy. */
  urlFor(id: string): string;
  /** Clear timers, remove faults, close the proxy. */
  close(): Promise<void>;
}

/** Set up the proxy and schedule the faults; null when neither conditions nor faults ask for it. */
export async function setupNetwork(args: {
  targetUrl: string;
  clientIds: string[];
  network?: NetworkConditions | null;
  faults?: GeneratorFault[];
  allowRemote?: boolean;
  /** Force the proxy even without conditions (byte counting for browser pages). */
  always?: boolean;
}): Promise<NetworkPlan | null> {
  const faults = args.faults ?? [];
  if (!args.network && faults.length === 0 && !args.always) return null;
  const target = new URL(args.targetUrl);
  const proxy = new FaultProxy({
    target: { host: target.hostname, port: Number(target.port) },
    allowRemote: args.allowRemote,
  });
  const laneOf = new Map<string, string>();
  for (const id of args.clientIds) {
    const mine = faults.flatMap((f, i) => (f.clientIds.includes(id) ? [i] : []));
    laneOf.set(id, mine.length ? `f${mine.join('.')}` : 'clean');
  }
  const ports = new Map<string, number>();
  for (const lane of new Set(laneOf.values())) ports.set(lane, await proxy.lane(lane));
  if (args.network) applyConditions(proxy, args.network);
  const applied: FaultApplied[] = [];
  const timers = faults.flatMap((f, i) =>
    schedule(proxy, f, lanesWith([...ports.keys()], i), (record) => applied.push({ fault: i, ...record })),
  );
  const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
  return {
    proxy,
    applied,
    urlFor: (id) => `http://${host}:${ports.get(laneOf.get(id) ?? 'clean') ?? ports.values().next().value}`,
    async close() {
      for (const t of timers) clearTimeout(t);
      await proxy.close();
    },
  };
}

function applyConditions(proxy: FaultProxy, n: NetworkConditions): void {
  if (n.latencyMs > 0 || n.jitterMs > 0) {
    proxy.apply({ kind: 'latency', direction: 'both', latencyMs: n.latencyMs, jitterMs: n.jitterMs });
  }
  if (n.rateKbps) proxy.apply({ kind: 'bandwidth', direction: 'both', rateKbps: n.rateKbps });
}

function lanesWith(lanes: string[], faultIndex: number): string[] {
  return lanes.filter((l) => l !== 'clean' && l.slice(1).split('.').map(Number).includes(faultIndex));
}

/** Timers that apply the fault at startMs and remove it at endMs (a 0-length fault acts once). */
function schedule(
  proxy: FaultProxy,
  f: GeneratorFault,
  lanes: string[],
  onApplied: (record: Omit<FaultApplied, 'fault'>) => void,
): NodeJS.Timeout[] {
  if (lanes.length === 0) return [];
  const spec: FaultSpec = { kind: f.kind as FaultKind, direction: f.direction, ...f.params };
  let applied: ReturnType<FaultProxy['apply']> | undefined;
  let record: Omit<FaultApplied, 'fault'> | undefined;
  const remove = (): void => {
    if (!applied?.active || !record) return;
    applied.remove();
    record.removedAtMs = nowMs();
  };
  const start = setTimeout(
    () => {
      applied = proxy.apply(spec, lanes);
      record = { appliedAtMs: applied.appliedAtMs };
      onApplied(record);
      if (f.endMs <= f.startMs) setImmediate(remove);
    },
    Math.max(0, f.startMs - Date.now()),
  );
  const end = setTimeout(remove, Math.max(0, f.endMs - Date.now()));
  return [start, end];
}
