/**
 * A failure's or a skip's text in the reader's language, from the server's code and params
 * (src/api/reasons.ts), assembled by src/domain/reason-text.ts (the server's notifications say
 * them the same way). Rows stored before params existed, and codes this UI does not know, show
 * the server's English `message`: never a raw key.
 */
import type { FailureJson, SkipJson } from '../../../../src/api/reasons.js';
import {
  failureSentence,
  runFailureSentence,
  type SentenceLookup,
  skipSentence,
} from '../../../../src/domain/reason-text.js';
import { hasMessage, type TFunction } from '../../i18n/index.js';

/** The catalogue's text of a key as written (t without values leaves `{name}` in place). */
export function lookupOf(t: TFunction): SentenceLookup {
  return (key) => (hasMessage(key) ? (t as (k: string) => string)(key) : null);
}

/** A job's failure, or an earlier attempt's. */
export function failureText(f: FailureJson, t: TFunction): string {
  return failureSentence(f, lookupOf(t));
}

/** A run's failure: "Job “test” failed: exit code 2" when a job caused it. */
export function runFailureText(f: FailureJson, t: TFunction): string {
  return runFailureSentence(f, lookupOf(t));
}

export function skipText(s: SkipJson, t: TFunction): string {
  return skipSentence(s, lookupOf(t));
}
