/**
 * Long polling: GET /long-poll, re-requested as soon as an answer arrives; each request
 * times out after longPollWaitMs + longPollMarginMs. Opening (subscribe, and every resume
 * after a death) uses wait=0 so the server answers at once with the resume info and the
 * backlog: that answer is the reopen, and a held request is never mistaken for one.
 */
import type { ClientConfig } from './client.ts';
import type { Recorder } from './metrics.ts';
import { PollingClient } from './polling.ts';

export class LongPollClient extends PollingClient {
  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
  }

  protected connect(): void {
    this.request(0);
  }

  protected next(): void {
    if (!this.stopped) this.request(this.config.longPollWaitMs);
  }

  private request(waitMs: number): void {
    this.get(
      `/long-poll?client=${encodeURIComponent(this.id)}&wait=${waitMs}${this.sinceParam()}`,
      waitMs + this.config.longPollMarginMs,
    );
  }
}
