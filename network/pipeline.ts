/**
 * One direction of one proxied connection: source socket → toxics, in the order the faults
 * were applied → destination socket. Backpressure: once the bytes held by the toxics plus
 * the destination's write buffer reach highWaterBytes, the source is paused (the sender's
 * kernel buffer then fills, as on a slow path); it resumes below the low-water mark.
 */
import type { Socket } from 'node:net';
import { resetSocket } from './reset-socket.ts';
import type { Chunk, Direction, StreamToxicDefinition, Toxic } from './types.ts';

interface Stage {
  faultId: number;
  toxic: Toxic;
}

export class Pipeline {
  private readonly stages: Stage[] = [];
  private paused = false;
  private readonly lowWaterBytes: number;
  /** Bytes written to the destination socket. */
  bytesOut = 0;

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly highWaterBytes: number,
  ) {
    // Resuming at or above the destination's own high-water mark guarantees a later 'drain' or forward re-checks.
    this.lowWaterBytes = Math.max(highWaterBytes / 2, dest.writableHighWaterMark);
    dest.on('drain', () => this.maybeResume());
  }

  /** A chunk read from the source. */
  push(chunk: Chunk): void {
    if (this.stages.length === 0) this.deliver(chunk);
    else this.stages[0].toxic.onChunk(chunk);
    if (!this.paused && this.heldBytes() >= this.highWaterBytes) {
      this.paused = true;
      this.source.pause();
    }
  }

  /** Append a toxic of fault `faultId` after the existing ones. */
  add(
    faultId: number,
    def: StreamToxicDefinition,
    params: Record<string, number>,
    appliedAtMs: number,
  ): void {
    const stage = { faultId } as Stage;
    const forward = (chunk: Chunk): void => this.forwardFrom(stage, chunk);
    stage.toxic = def.create(params, { direction: this.direction, appliedAtMs, forward });
    this.stages.push(stage);
  }

  /** Remove the toxic of fault `faultId`, delivering what it holds first. */
  remove(faultId: number): void {
    const stage = this.stages.find((s) => s.faultId === faultId);
    if (!stage) return;
    stage.toxic.stop(true);
    this.stages.splice(this.stages.indexOf(stage), 1);
    this.maybeResume();
  }

  /** Drop every toxic and what it holds (the connection is closing). */
  clear(): void {
    for (const stage of this.stages.splice(0)) stage.toxic.stop(false);
  }

  private heldBytes(): number {
    let held = this.dest.writableLength;
    for (const stage of this.stages) held += stage.toxic.heldBytes();
    return held;
  }

  private forwardFrom(stage: Stage, chunk: Chunk): void {
    const i = this.stages.indexOf(stage);
    if (i < 0) return; // removed without flush: dropped
    if (i + 1 < this.stages.length) this.stages[i + 1].toxic.onChunk(chunk);
    else this.deliver(chunk);
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.paused && this.heldBytes() < this.lowWaterBytes) {
      this.paused = false;
      this.source.resume();
    }
  }

  private deliver(chunk: Chunk): void {
    const dest = this.dest;
    if (dest.destroyed) return;
    if (chunk.eof === 'rst') {
      resetSocket(dest);
    } else if (chunk.eof === 'fin') {
      dest.end();
    } else if (!dest.writableEnded) {
      this.bytesOut += chunk.data.length;
      dest.write(chunk.data);
    }
  }
}
