/** What every bare baseline server offers the perf server child. */
export interface BareServer {
  url: string;
  /** Open client connections. */
  connections(): number;
  /** Start / stop publishing (no-op for servers without a source); returns the last seq. */
  startSource(): number;
  stopSource(): number;
  /**
   * Per message published since the last call: publish → the last peer's write returned (ms),
   * the fan-out's or the long-poll release's completion time on the server.
   */
  takeReleaseMs(): number[];
  close(): Promise<void>;
}

export interface BareOptions {
  ratePerS: number;
  sizeBytes: number;
}
