/**
 * Fixed-window counters per key (client address, site, visitor), in memory: limits of a public
 * endpoint must cost nothing per event. The map is emptied at each window's start and bounded
 * within a window (beyond `maxKeys` distinct keys the oldest window's keys are dropped), so a
 * flood of made-up keys cannot grow it without limit.
 */
export class WindowRateLimiter {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit of `key`; false when the key has used up its window. */
  take(key: string, cost = 1): boolean {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs);
      this.counts.clear();
    }
    const used = this.counts.get(key) ?? 0;
    if (used + cost > this.limit) return false;
    if (used === 0 && this.counts.size >= this.maxKeys) this.counts.clear();
    this.counts.set(key, used + cost);
    return true;
  }

  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.now()) / 1000));
  }
}
