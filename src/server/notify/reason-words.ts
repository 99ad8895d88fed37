/**
 * A notification's reason line in the channel's language: the same sentences and assembly as the
 * web UI (src/domain/reason-sentences.ts, release-reason-sentences.ts, reason-text.ts), looked
 * up in the data modules instead of the web's catalogue. A message without a code (queued by an
 * older server), an unknown code or missing parameters give the stored English sentence.
 */
import { DURATION_SENTENCES, RUN_REASON_SENTENCES } from '../../domain/reason-sentences.js';
import { releaseReasonSentence, runFailureSentence, type SentenceLookup } from '../../domain/reason-text.js';
import { RELEASE_REASON_SENTENCES, RELEASE_WHY_SENTENCES } from '../../domain/release-reason-sentences.js';
import type { ReleasePart, RunPart } from './notification-message.js';

export type ReasonLanguage = 'en' | 'zh-CN';

function sentencesOf(language: ReasonLanguage): Readonly<Record<string, string>> {
  return {
    ...RUN_REASON_SENTENCES[language],
    ...RELEASE_REASON_SENTENCES[language],
    ...RELEASE_WHY_SENTENCES[language],
    ...DURATION_SENTENCES[language],
  };
}

/** The sentences of one language as the shared assembly looks them up. */
export function reasonLookup(language: ReasonLanguage): SentenceLookup {
  const sentences = sentencesOf(language);
  return (key) => (Object.hasOwn(sentences, key) ? (sentences[key] ?? null) : null);
}

/** Why the run failed, or null when it did not. */
export function runFailureWords(run: RunPart, language: ReasonLanguage): string | null {
  if (!run.failure) return null;
  if (!run.failureCode) return run.failure;
  const { reason, params } = run.failureCode;
  return runFailureSentence({ reason, message: run.failure, params }, reasonLookup(language)) || run.failure;
}

/** Why the release failed or was rolled back, or null when it gave no reason. */
export function releaseReasonWords(release: ReleasePart, language: ReasonLanguage): string | null {
  if (!release.reason && !release.reasonCode) return null;
  return releaseReasonSentence(release, reasonLookup(language)) || release.reason;
}
