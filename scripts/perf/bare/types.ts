/** What every bare baseline server offers the perf server child. */
export interface BareServer {
  url: string;
  /** Open client connections. */
  connections(): number;
  /** Start / stop publishing (no-op for servers without a source); returns the last seq. */
  startSource(): number;
  stopSource(): number;
  close(): Promise<void>;
}

export interface BareOptions {
  ratePerS: number;
  sizeBytes: number;
}
