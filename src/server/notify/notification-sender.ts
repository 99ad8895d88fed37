import type { Kysely } from 'kysely';
import { type OutboundPolicy, OutboundRefused } from '../git/outbound-policy.js';
import type { SecretBox } from '../services.js';
import type { Database } from '../store/tables.js';
import { type ChannelKind, channelTargetSchema, emailSettingsSchema } from './channel-config.js';
import { channelAccepted, channelRequest } from './channel-formats.js';
import { sendEmail } from './email-sender.js';
import { notificationMessageSchema } from './notification-message.js';
import { type NotifyLanguage, renderMessage } from './notification-text.js';
import { sendOutbound } from './outbound-http.js';
import type { Attempt, DueDelivery } from './outbox.js';

export interface NotificationSenderDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
  policy: OutboundPolicy;
  now: () => number;
  timeoutMs: number;
}

/**
 * Sends one queued notification to its channel as the channel is configured *now* (a fixed URL
 * or secret applies to retries still waiting), rendered in the channel's language.
 */
export function notificationSender(deps: NotificationSenderDeps): (row: DueDelivery) => Promise<Attempt> {
  return async (row) => {
    const channel = row.channel_id
      ? await deps.db
          .selectFrom('notification_channels')
          .selectAll()
          .where('id', '=', row.channel_id)
          .executeTakeFirst()
      : undefined;
    if (!channel) return { ok: false, code: null, error: 'the channel was deleted', permanent: true };
    const message = notificationMessageSchema.parse(JSON.parse(row.payload));
    const target = channelTargetSchema.parse(JSON.parse(deps.secretBox.open(channel.target)));
    const language = (channel.language === 'zh-CN' ? 'zh-CN' : 'en') as NotifyLanguage;
    const rendered = renderMessage(message, language);
    const kind = channel.kind as ChannelKind;
    try {
      if (kind === 'email') {
        const settings = emailSettingsSchema.parse(JSON.parse(channel.settings));
        const answer = await sendEmail(
          deps.policy,
          settings,
          target.password,
          rendered,
          language,
          deps.timeoutMs,
        );
        const code = Number.parseInt(answer.slice(0, 3), 10);
        return { ok: true, code: Number.isFinite(code) ? code : null };
      }
      const request = channelRequest(kind, target, message, rendered, language, String(row.id), deps.now());
      const response = await sendOutbound(deps.policy, { ...request, timeoutMs: deps.timeoutMs });
      const verdict = channelAccepted(kind, response.status, response.text);
      return verdict.ok
        ? { ok: true, code: response.status }
        : { ok: false, code: response.status, error: verdict.error };
    } catch (error) {
      if (error instanceof OutboundRefused) {
        return { ok: false, code: null, error: `outbound policy: ${error.message}`, permanent: true };
      }
      const smtpCode = (error as { responseCode?: number }).responseCode;
      return {
        ok: false,
        code: typeof smtpCode === 'number' ? smtpCode : null,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  };
}
