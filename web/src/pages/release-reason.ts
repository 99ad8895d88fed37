/**
 * A release's reason in the reader's language when the server gave a code with parameters
 * (RELEASE_REASONS in src/domain/reason-codes.ts), assembled by src/domain/reason-text.ts (the
 * server's notifications say it the same way); the server's English sentence when the code is
 * unknown to this UI or a parameter its text needs is missing — never a raw key.
 */

import type { ReleaseJson } from '../../../src/api/releases.js';
import { releaseReasonSentence } from '../../../src/domain/reason-text.js';
import type { TFunction } from '../i18n/index.js';
import { lookupOf } from './run/reason-text.js';

export function releaseReasonText(
  r: Pick<ReleaseJson, 'reason' | 'reasonCode' | 'reasonParams'>,
  t: TFunction,
): string {
  return releaseReasonSentence(r, lookupOf(t));
}
