/**
 * Process cost figures for /stats: CPU % and event-loop delay p99 (perf_hooks
 * monitorEventLoopDelay) over the last 1 s sampling window, so start-up (module
 * loading) does not haunt every later figure; cumulative CPU user/system ms (so
 * callers can compute any window themselves) and RSS.
 */
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface ProcessStats {
  cpuPct: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMB: number;
  eventLoopP99Ms: number;
}

const SAMPLE_INTERVAL_MS = 1_000;
/**
 * Event-loop delay sampling: any block longer than this is seen. Each sample wakes an
 * idle server; at 10 ms that cost ~6 ms CPU per second here (a third of an idle
 * 1,000-peer WebSocket server's CPU, measured), 20 ms halves it.
 */
const LOOP_DELAY_RESOLUTION_MS = 20;

export class ProcessSampler {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({
    resolution: LOOP_DELAY_RESOLUTION_MS,
  });
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAtMs = performance.now();
  private cpuPct: number | undefined;
  private loopP99Ms: number | undefined;

  start(): void {
    this.loopDelay.enable();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.loopDelay.disable();
  }

  snapshot(): ProcessStats {
    const cpu = process.cpuUsage();
    return {
      cpuPct: round(this.cpuPct ?? this.pctSince(cpu, performance.now())),
      cpuUserMs: round(cpu.user / 1000),
      cpuSystemMs: round(cpu.system / 1000),
      rssMB: round(process.memoryUsage.rss() / (1024 * 1024)),
      eventLoopP99Ms: round(this.loopP99Ms ?? this.currentLoopP99Ms()),
    };
  }

  private sample(): void {
    const cpu = process.cpuUsage();
    const at = performance.now();
    this.cpuPct = this.pctSince(cpu, at);
    this.lastCpu = cpu;
    this.lastAtMs = at;
    this.loopP99Ms = this.currentLoopP99Ms();
    this.loopDelay.reset();
  }

  /**
   * Node records each sample's whole period (the resolution) plus the delay, so an idle
   * loop would read the resolution itself: it is subtracted, as the generator's Recorder does
   * (docs/servers.md "/stats").
   */
  private currentLoopP99Ms(): number {
    if (this.loopDelay.count === 0) return 0;
    return Math.max(0, this.loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  }

  /** CPU % of one core since the last sample (100 = one core busy). */
  private pctSince(cpu: NodeJS.CpuUsage, atMs: number): number {
    const usedMs = (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000;
    const wallMs = atMs - this.lastAtMs;
    return wallMs > 0 ? (100 * usedMs) / wallMs : 0;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
