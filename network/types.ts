/**
 * Shared shapes of the fault proxy: the one-method toxic interface (in the spirit of
 * Toxiproxy's `Pipe`), fault definitions for the registry, and the stats the proxy reports.
 */

/** up = client → server, down = server → client. */
export type Direction = 'up' | 'down';
export type DirectionSpec = Direction | 'both';

/**
 * A piece of one direction's byte stream. An end-of-stream marker (`eof`: the sender's FIN
 * or RST) has no bytes and travels through the toxics like data, so that a blackhole also
 * hides a close.
 */
export interface Chunk {
  readonly data: Buffer;
  readonly eof?: 'fin' | 'rst';
}

/** What a stream toxic sees of its place in the pipeline. */
export interface ToxicContext {
  readonly direction: Direction;
  /** When the fault was applied (epoch ms, see clock.ts): shared by all its instances. */
  readonly appliedAtMs: number;
  /** Pass a chunk on to the next stage (or the destination socket), in arrival order. */
  forward(chunk: Chunk): void;
}

/** One fault instance acting on one direction of one connection. */
export interface Toxic {
  /** A chunk arrived: forward it now or later, never out of order. */
  onChunk(chunk: Chunk): void;
  /** Bytes held right now (backpressure counts them). */
  heldBytes(): number;
  /** The fault was removed (flush: forward what is held at once) or the connection is gone (drop it). Clears timers. */
  stop(flush: boolean): void;
}

/** Numeric parameter rule; the unit is in the parameter's name (latencyMs, rateKbps). */
export interface ParamRule {
  min: number;
  max: number;
  /** true: the value must be > min. */
  exclusiveMin?: boolean;
  /** Used when the spec omits the parameter; absent means required. */
  default?: number;
}

export type Params = Record<string, number>;

/** What a connection-level fault can do to a proxied connection. */
export interface ConnectionControl {
  /** Destroy both sides with RST. */
  reset(): void;
  /** End both sides with FIN. */
  close(): void;
}

/** A fault acting per direction: one Toxic per direction and connection. */
export interface StreamToxicDefinition {
  readonly scope: 'stream';
  readonly params: Record<string, ParamRule>;
  create(params: Params, ctx: ToxicContext): Toxic;
}

/** A fault acting once on a whole connection (reset, close): direction must be "both". */
export interface ConnectionToxicDefinition {
  readonly scope: 'connection';
  readonly params: Record<string, ParamRule>;
  act(params: Params, conn: ConnectionControl): void;
}

export type ToxicDefinition = StreamToxicDefinition | ConnectionToxicDefinition;

/** Per proxied connection. Times are epoch ms (with sub-ms fraction). */
export interface ConnectionStats {
  id: number;
  lane: string;
  /** The client's local port: lets a client match its own connections. */
  clientPort: number;
  openedAtMs: number;
  closedAtMs?: number;
  /** Bytes read from the client (what it sent). */
  bytesUp: number;
  /** Bytes written to the client (what it was sent). */
  bytesDown: number;
}

export interface ByteTotals {
  bytesUp: number;
  bytesDown: number;
  connections: number;
}
