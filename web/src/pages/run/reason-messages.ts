/**
 * The words for the server's failure and skip codes (src/domain/reason-codes.ts), in both
 * languages. The sentences themselves live in src/domain/reason-sentences.ts, shared with the
 * server's notifications; this module makes them part of the typed catalogue. They are assembled
 * in reason-text.ts; every code in FAILURE_REASONS and SKIP_CODES must have its key
 * (test/web/reason-messages.test.ts).
 */
import { RUN_REASON_SENTENCES } from '../../../../src/domain/reason-sentences.js';
import { defineMessages } from '../../i18n/define-messages.js';

export const reasonMessages = defineMessages(RUN_REASON_SENTENCES);
