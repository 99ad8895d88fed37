/**
 * Lookups over the sorted structures LogView keeps (line numbers, visible rows, search matches)
 * and the #L<n> anchor in the address: binary searches, because a log can have 100k lines.
 */
import type { LogLine } from './log-source.js';
/** The match ranges on line index `index` (matches are sorted by line). */
export function lineRanges(
  matches: readonly { line: number; start: number; end: number }[],
  index: number,
  current: { line: number; start: number } | undefined,
) {
  const out: { start: number; end: number; current?: boolean }[] = [];
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((matches[mid] as { line: number }).line < index) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < matches.length && (matches[i] as { line: number }).line === index; i++) {
    const m = matches[i] as { line: number; start: number; end: number };
    out.push({ start: m.start, end: m.end, current: current === m });
  }
  return out;
}

/** First position in the sorted array whose value is ≥ `value`. */
export function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the line numbered `n` (lines are sorted by number), or -1. */
export function indexOfLine(lines: readonly LogLine[], n: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = (lines[mid] as LogLine).n;
    if (v === n) return mid;
    if (v < n) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The line number a #L<n> address anchor names, or null. */
export function hashLine(): number | null {
  const m = /^#L(\d{1,12})$/.exec(window.location.hash);
  return m ? Number(m[1]) : null;
}
