/**
 * Cards of releases whose after-window closed no longer change (their traffic part): kept here so
 * a timeline with a hundred markers does not re-read a hundred windows on every refresh. One per
 * server (created with the routes, no module state), bounded, oldest entry evicted first.
 */
export class ImpactCardCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly limit = 2_000) {}

  get(key: string): unknown {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Refresh its place: Map keeps insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
