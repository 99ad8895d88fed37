/**
 * Why a release failed or was rolled back, for every code of RELEASE_REASONS the deploy targets
 * and the agent send (src/domain/reason-codes.ts), en + zh-CN: the sentences of
 * src/domain/release-reason-sentences.ts (shared with the server's notifications), plus the title
 * of a release's run, which only the UI says.
 */
import { RELEASE_WHY_SENTENCES } from '../../../src/domain/release-reason-sentences.js';
import { defineMessages } from '../i18n/define-messages.js';

export const releaseWhyMessages = defineMessages({
  en: { ...RELEASE_WHY_SENTENCES.en, 'release.runTitle': 'Release #{number} of {app} to {env}' },
  'zh-CN': { ...RELEASE_WHY_SENTENCES['zh-CN'], 'release.runTitle': '{app} 发布 #{number} 到 {env}' },
});
