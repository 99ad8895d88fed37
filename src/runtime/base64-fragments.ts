/**
 * Pieces of a secret's base64 that a wrapping encoder spreads over several lines. `base64`
 * wraps at 76 columns and `openssl base64` at 64, so a secret longer than a line (or one that
 * merely straddles a line end) never shows whole on one line: the line that starts it, the full
 * lines in its middle and the line that ends it each hold a different piece of its encoding.
 * Every such piece is a substring of one of the secret's base64 cores (the characters that
 * depend on the secret alone, at alignment 0, 1 or 2), whatever the wrap width.
 *
 * So the rule, independent of the width: any run of at least `MIN_FRAGMENT_CHARS` characters
 * that is a substring of a core is masked. 11 characters carry 66 bits, so a masked piece holds
 * at least 8 bytes of the secret — the same bound below which a whole secret is refused as too
 * short to mask; a shorter piece (up to 7 bytes at either end of a wrapped secret) is left, as
 * a short line of a multi-line secret is.
 *
 * Found by sliding a window over runs of base64 characters and looking each window up in the
 * set of the cores' windows: text without a run of 11 base64 characters costs one scan.
 */
import { MIN_SECRET_LENGTH } from '../domain/secret-value.js';
import { base64Cores, toBase64Url } from './secret-forms.js';

/** Characters of base64 that carry at least MIN_SECRET_LENGTH bytes of a secret. */
export const MIN_FRAGMENT_CHARS = Math.ceil((MIN_SECRET_LENGTH * 8) / 6);

/** Which char codes belong to either alphabet: standard (+/) and URL-safe (-_). */
const IN_ALPHABET: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') {
    table[c.charCodeAt(0)] = 1;
  }
  return table;
})();

function inAlphabet(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code < 128 && IN_ALPHABET[code] === 1;
}

export class Base64Fragments {
  /** Every MIN_FRAGMENT_CHARS-long window of every core, in both alphabets. */
  private readonly windows = new Set<string>();

  constructor(secretValues: Iterable<string>) {
    for (const value of secretValues) {
      for (const core of base64Cores(Buffer.from(value, 'utf8'))) {
        for (const form of [core, toBase64Url(core)]) {
          for (let i = 0; i + MIN_FRAGMENT_CHARS <= form.length; i++) {
            this.windows.add(form.slice(i, i + MIN_FRAGMENT_CHARS));
          }
        }
      }
    }
  }

  get empty(): boolean {
    return this.windows.size === 0;
  }

  /**
   * Appends flat [start, end) pairs of `text` covered by a window of a core to `into`; a run
   * longer than a window is covered by the union of its overlapping windows.
   */
  collect(text: string, into: number[]): void {
    if (this.windows.size === 0) return;
    // Most lines have no run long enough, so only every MIN_FRAGMENT_CHARS-th character is
    // looked at: a run that long must contain one of them. Only a probe that lands on a base64
    // character is widened to its run. (A RegExp with a {11,} quantifier, or a check of every
    // character, measured several times slower on ordinary log lines.)
    let probe = MIN_FRAGMENT_CHARS - 1;
    while (probe < text.length) {
      if (!inAlphabet(text, probe)) {
        probe += MIN_FRAGMENT_CHARS;
        continue;
      }
      let start = probe;
      while (start > 0 && inAlphabet(text, start - 1)) start--;
      let end = probe + 1;
      while (end < text.length && inAlphabet(text, end)) end++;
      if (end - start >= MIN_FRAGMENT_CHARS) this.collectRun(text, start, end, into);
      // text[end] is not base64: the next run long enough reaches past end + MIN_FRAGMENT_CHARS.
      probe = end + MIN_FRAGMENT_CHARS;
    }
  }

  /** The windows of `text[start, end)` (one run of base64 characters) that belong to a core. */
  private collectRun(text: string, start: number, end: number, into: number[]): void {
    let coveredStart = -1;
    let coveredEnd = -1;
    for (let i = start; i + MIN_FRAGMENT_CHARS <= end; i++) {
      if (!this.windows.has(text.slice(i, i + MIN_FRAGMENT_CHARS))) continue;
      if (i <= coveredEnd) coveredEnd = i + MIN_FRAGMENT_CHARS;
      else {
        if (coveredStart !== -1) into.push(coveredStart, coveredEnd);
        coveredStart = i;
        coveredEnd = i + MIN_FRAGMENT_CHARS;
      }
    }
    if (coveredStart !== -1) into.push(coveredStart, coveredEnd);
  }
}
