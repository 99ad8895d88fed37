/** Small probes the server benchmarks share: a process's resident memory and a bounded wait. */
import { readFileSync } from 'node:fs';

/** Resident set size of a process in bytes (Linux `/proc`). */
export function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** Polls `check` until it is true; throws after `timeoutMs`. A check that throws counts as false. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('timed out waiting');
}
