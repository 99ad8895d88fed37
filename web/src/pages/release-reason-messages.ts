/**
 * Release reasons the server sends as codes (canary analysis, a deploy job that ended without
 * deploying), en + zh-CN: the sentences of src/domain/release-reason-sentences.ts, shared with
 * the server's notifications, as a typed catalogue module.
 */
import { RELEASE_REASON_SENTENCES } from '../../../src/domain/release-reason-sentences.js';
import { defineMessages } from '../i18n/define-messages.js';

export const releaseReasonMessages = defineMessages(RELEASE_REASON_SENTENCES);
