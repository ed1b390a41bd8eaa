/**
 * A periodic per-connection duty (the WebSocket protocol ping, the SSE keep-alive) spread over
 * its interval: members join one of `slots` groups round robin, and each tick visits one group,
 * so every member is visited once per interval but never all of them in the same tick — with
 * 18,000 peers, one tick's writes (and the pongs they wake) are 900, not 18,000
 * (docs/servers.md "Options").
 */

/** The interval is cut into at most this many ticks… */
const SLOTS_MAX = 20;
/** …each at least this long (ms). */
const TICK_MIN_MS = 50;

export class SpreadTimer<T> {
  private readonly groups: Set<T>[];
  private readonly groupOf = new Map<T, Set<T>>();
  private next = 0;
  private tick = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number, visit: (member: T) => void) {
    const slots = Math.max(1, Math.min(SLOTS_MAX, Math.floor(intervalMs / TICK_MIN_MS)));
    this.groups = Array.from({ length: slots }, () => new Set<T>());
    this.timer = setInterval(() => {
      const group = this.groups[this.tick];
      this.tick = (this.tick + 1) % slots;
      for (const member of group) visit(member);
    }, intervalMs / slots);
  }

  add(member: T): void {
    const group = this.groups[this.next];
    this.next = (this.next + 1) % this.groups.length;
    group.add(member);
    this.groupOf.set(member, group);
  }

  delete(member: T): void {
    this.groupOf.get(member)?.delete(member);
    this.groupOf.delete(member);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
