/**
 * Search in a log: plain, case-insensitive substring matches over the visible text of each line
 * (escapes removed, so a colour code in the middle of a word does not hide it).
 */

export interface Match {
  /** Index of the line in the log. */
  line: number;
  /** Start and end (exclusive) in the line's visible text. */
  start: number;
  end: number;
}

/** At most this many matches are collected: a one-letter query in a huge log stays cheap. */
export const MAX_MATCHES = 10_000;

export function findMatches(texts: readonly string[], query: string, max = MAX_MATCHES): Match[] {
  if (query === '') return [];
  const needle = query.toLowerCase();
  const matches: Match[] = [];
  for (let line = 0; line < texts.length; line++) {
    const hay = (texts[line] as string).toLowerCase();
    let from = hay.indexOf(needle);
    while (from !== -1) {
      matches.push({ line, start: from, end: from + needle.length });
      if (matches.length >= max) return matches;
      from = hay.indexOf(needle, from + needle.length);
    }
  }
  return matches;
}

/** The match after (step 1) or before (step -1) `current`, wrapping around; -1 when none. */
export function stepMatch(count: number, current: number, step: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}

/**
 * Splits styled spans so the ranges `[start, end)` (offsets in the joined text) come out as
 * their own spans with `mark` set; `current` marks the range that is the selected match.
 */
export function markRanges<S extends { text: string }>(
  spans: readonly S[],
  ranges: readonly { start: number; end: number; current?: boolean }[],
): (S & { mark?: 'match' | 'current' })[] {
  if (ranges.length === 0) return [...spans];
  const out: (S & { mark?: 'match' | 'current' })[] = [];
  let offset = 0;
  for (const span of spans) {
    const spanEnd = offset + span.text.length;
    let pos = offset;
    for (const r of ranges) {
      if (r.end <= pos || r.start >= spanEnd) continue;
      const s = Math.max(r.start, pos);
      const e = Math.min(r.end, spanEnd);
      if (s > pos) out.push({ ...span, text: span.text.slice(pos - offset, s - offset) });
      out.push({
        ...span,
        text: span.text.slice(s - offset, e - offset),
        mark: r.current ? 'current' : 'match',
      });
      pos = e;
    }
    if (pos < spanEnd) out.push({ ...span, text: span.text.slice(pos - offset) });
    offset = spanEnd;
  }
  return out;
}
