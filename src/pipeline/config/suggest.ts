/**
 * "Did you mean …?" for misspelt keys, job names and event kinds.
 *
 * Distance is optimal string alignment (Levenshtein plus swapping two neighbours), because the
 * typical typo in a config is a transposition (`scirpt`) and it should cost one edit, not two.
 * Comparison ignores case: `Script` is a typo of `script`.
 */

/** Edit distance, or `limit + 1` as soon as it is certain to exceed `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The closest candidate, when it is close enough to be a plausible typo: at most one edit for
 * short words, one per three letters for longer ones. Otherwise null — a wild guess is worse
 * than no guess.
 */
export function suggest(word: string, candidates: Iterable<string>): string | null {
  const needle = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const limit = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    const d = editDistance(needle, candidate.toLowerCase(), limit);
    if (d <= limit && d < bestDistance && d < candidate.length) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
