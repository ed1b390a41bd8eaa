/**
 * FaultProxy: a TCP proxy on loopback in front of one target, with named lanes (one
 * listening port each) so that a chosen share of clients goes through faulted lanes and
 * the rest through clean ones. Faults (network/toxics/) are applied and removed at run time.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { nowMs } from '../core/clock.ts';
import { NETWORK_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { isLoopbackHost } from '../core/loopback.ts';
import { type ActiveFault, Link } from './link.ts';
import { type FaultSpec, type NormalizedFault, validateFault } from './spec.ts';
import { addInto, ClosedConnections } from './stats.ts';
import type { ByteTotals, ConnectionStats } from './types.ts';

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** Default 127.0.0.1. */
  listenHost?: string;
  /** Per connection and direction, bytes held before the sender is paused (≥ 32 KiB). Default 64 KiB. */
  highWaterBytes?: number;
  /** Closed connections listed one by one; older ones count only in totals(). Default 10 000. */
  maxClosedConnections?: number;
  /** After a close fault: wait this long for the peers' FIN, then destroy. Default 2 s. */
  closeGraceMs?: number;
  /** Allow a non-loopback target or listen host. Default false. */
  allowRemote?: boolean;
}

/** A fault in force; remove() stops it and delivers what it held. */
export interface AppliedFault {
  readonly id: number;
  readonly fault: NormalizedFault;
  /** Lane names, or 'all' (every lane, including lanes opened later). */
  readonly lanes: readonly string[] | 'all';
  /** Epoch ms. */
  readonly appliedAtMs: number;
  readonly active: boolean;
  remove(): void;
}

interface TrackedFault extends ActiveFault {
  lanes: Set<string> | null;
}

const LANE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const LISTEN_BACKLOG = 2048;

export class FaultProxy {
  private readonly opts: Required<FaultProxyOptions>;
  private readonly servers = new Map<string, Promise<{ server: Server; port: number }>>();
  private readonly links = new Map<number, Link>();
  private readonly faults = new Map<number, TrackedFault>();
  private readonly closed: ClosedConnections;
  private nextConnectionId = 1;
  private nextFaultId = 1;
  private closing = false;
  /** Accept errors (e.g. EMFILE) seen on the lanes; the proxy keeps serving. */
  acceptErrors = 0;

  constructor(options: FaultProxyOptions) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...NETWORK_DEFAULTS, allowRemote: false, ...defined } as Required<FaultProxyOptions>;
    validateOptions(this.opts);
    this.closed = new ClosedConnections(this.opts.maxClosedConnections);
  }

  /** Open (once) the listening port of lane `name` on listenHost, port 0; returns the port. */
  async lane(name: string): Promise<number> {
    if (typeof name !== 'string' || !LANE_NAME.test(name)) {
      throw new PushbenchError(
        'PB_BAD_OPTION',
        `lane: expected 1–64 chars of [A-Za-z0-9_.:-], got ${JSON.stringify(name)}`,
      );
    }
    if (this.closing) throw new Error('FaultProxy is closed');
    let pending = this.servers.get(name);
    if (!pending) {
      pending = this.listen(name);
      this.servers.set(name, pending);
      pending.catch(() => this.servers.delete(name)); // a failed listen may be retried
    }
    return (await pending).port;
  }

  /** Start a fault now on the given lanes (default: all lanes, also those opened later). */
  apply(spec: FaultSpec, lanes?: string[]): AppliedFault {
    const fault = validateFault(spec, 'fault');
    this.checkLanes(lanes);
    const tracked: TrackedFault = { id: this.nextFaultId++, fault, appliedAtMs: nowMs(), lanes: null };
    if (lanes) tracked.lanes = new Set(lanes);
    this.faults.set(tracked.id, tracked);
    for (const link of this.links.values()) if (covers(tracked, link.stats.lane)) link.attach(tracked);
    const faults = this.faults;
    const links = this.links;
    return {
      id: tracked.id,
      fault,
      lanes: lanes ? [...lanes] : 'all',
      appliedAtMs: tracked.appliedAtMs,
      get active() {
        return faults.has(tracked.id);
      },
      remove() {
        if (!faults.delete(tracked.id)) return;
        for (const link of links.values()) link.detach(tracked.id);
      },
    };
  }

  /** Per connection, open ones and the newest closed ones (up to maxClosedConnections), by id. */
  connections(): ConnectionStats[] {
    const open = [...this.links.values()].map((l) => l.snapshot());
    return [...this.closed.list(), ...open].sort((a, b) => a.id - b.id);
  }

  /** Bytes and connection count over every connection ever accepted, of one lane or all. */
  totals(lane?: string): ByteTotals {
    const sum = this.closed.totals(lane);
    for (const link of this.links.values()) {
      const s = link.snapshot();
      if (lane === undefined || s.lane === lane) addInto(sum, s, 1);
    }
    return sum;
  }

  /** Stop listening, drop every fault, destroy every connection; resolves when all is closed. */
  async close(): Promise<void> {
    this.closing = true;
    this.faults.clear();
    for (const link of this.links.values()) link.destroy();
    const servers = await Promise.allSettled(this.servers.values());
    await Promise.all(
      servers.map((r) =>
        r.status === 'fulfilled'
          ? new Promise<void>((done) => r.value.server.close(() => done()))
          : undefined,
      ),
    );
  }

  private async listen(name: string): Promise<{ server: Server; port: number }> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      this.accept(socket, name),
    );
    server.on('error', () => {
      this.acceptErrors += 1;
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: this.opts.listenHost, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('lane server has no TCP address');
    return { server, port: address.port };
  }

  private accept(socket: Socket, lane: string): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const link = new Link(this.nextConnectionId++, lane, socket, this.opts, (done) => {
      this.links.delete(done.stats.id);
      this.closed.add(done.stats);
    });
    this.links.set(link.stats.id, link);
    link.start([...this.faults.values()].filter((f) => covers(f, lane)));
  }

  private checkLanes(lanes: string[] | undefined): void {
    if (lanes === undefined) return;
    if (!Array.isArray(lanes) || lanes.length === 0) {
      throw new PushbenchError(
        'PB_BAD_OPTION',
        'lanes: expected a non-empty list of lane names (or none for all)',
      );
    }
    const problems = lanes
      .map((name, i) =>
        this.servers.has(name)
          ? ''
          : `lanes[${i}]: no lane ${JSON.stringify(name)}; open it with lane() first`,
      )
      .filter(Boolean);
    if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  }
}

function covers(fault: TrackedFault, lane: string): boolean {
  return fault.lanes === null || fault.lanes.has(lane);
}

function validateOptions(o: Required<FaultProxyOptions>): void {
  const problems: string[] = [];
  const { host, port } = o.target ?? {};
  if (typeof host !== 'string' || host === '') problems.push('target.host: expected a host name or IP');
  else if (!o.allowRemote && !isLoopbackHost(host))
    problems.push(`target.host: ${host} is not a loopback address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    problems.push('target.port: expected an integer 1–65535');
  if (!o.allowRemote && !isLoopbackHost(o.listenHost)) {
    problems.push(`listenHost: ${o.listenHost} is not a loopback address`);
  }
  if (!Number.isInteger(o.highWaterBytes) || o.highWaterBytes < 32 * 1024) {
    problems.push('highWaterBytes: expected an integer ≥ 32768');
  }
  if (!Number.isInteger(o.maxClosedConnections) || o.maxClosedConnections < 0) {
    problems.push('maxClosedConnections: expected an integer ≥ 0');
  }
  if (!Number.isFinite(o.closeGraceMs) || o.closeGraceMs < 0)
    problems.push('closeGraceMs: expected a number ≥ 0');
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
}
