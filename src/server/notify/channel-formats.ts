import { createHmac } from 'node:crypto';
import type { ChannelKind, ChannelTarget } from './channel-config.js';
import type { NotificationMessage } from './notification-message.js';
import { type NotifyLanguage, type RenderedMessage, toMarkdown, toPlainText } from './notification-text.js';

/** One HTTP POST to a chat or webhook receiver. */
export interface ChannelRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request each webhook-style channel expects, with its signing scheme:
 * - generic webhook: the message as JSON, `X-Slipway-Signature-256: sha256=<hex HMAC-SHA256 of
 *   the body>` when a secret is set (GitHub's scheme, so existing verifiers work);
 * - Slack-compatible incoming webhook: `{text, blocks}` (Mattermost and Rocket.Chat read `text`);
 * - DingTalk robot: markdown; with a secret, `timestamp` (ms) and `sign` = base64 HMAC-SHA256
 *   keyed by the secret over `timestamp + "\n" + secret`, URL-encoded, as query parameters;
 * - WeCom group robot: the key is in the URL; `msgtype: markdown`;
 * - Feishu/Lark bot: a `post` message; with a secret, `timestamp` (seconds) and `sign` = base64
 *   HMAC-SHA256 keyed by `timestamp + "\n" + secret` over an empty message, in the JSON body.
 */
export function channelRequest(
  kind: Exclude<ChannelKind, 'email'>,
  target: ChannelTarget,
  message: NotificationMessage,
  rendered: RenderedMessage,
  language: NotifyLanguage,
  deliveryId: string,
  nowMs: number,
): ChannelRequest {
  const url = target.url ?? '';
  const json = { 'content-type': 'application/json; charset=utf-8' };
  switch (kind) {
    case 'webhook': {
      const body = JSON.stringify({ ...message, title: rendered.title, text: toPlainText(rendered) });
      const headers: Record<string, string> = {
        ...json,
        'x-slipway-event': message.event,
        'x-slipway-delivery': deliveryId,
      };
      if (target.secret) {
        headers['x-slipway-signature-256'] =
          `sha256=${createHmac('sha256', target.secret).update(body).digest('hex')}`;
      }
      return { url, headers, body };
    }
    case 'slack':
      return {
        url,
        headers: json,
        body: JSON.stringify({
          text: `${rendered.title}\n${rendered.lines.join('\n')}\n<${rendered.url}|${rendered.linkText}>`,
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: rendered.title.slice(0, 150) } },
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: [...rendered.lines, `<${rendered.url}|${rendered.linkText}>`].join('\n'),
              },
            },
          ],
        }),
      };
    case 'dingtalk': {
      let signed = url;
      if (target.secret) {
        const timestamp = String(nowMs);
        const sign = createHmac('sha256', target.secret)
          .update(`${timestamp}\n${target.secret}`)
          .digest('base64');
        const u = new URL(url);
        u.searchParams.set('timestamp', timestamp);
        u.searchParams.set('sign', sign);
        signed = u.href;
      }
      return {
        url: signed,
        headers: json,
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: { title: rendered.title, text: toMarkdown(rendered) },
        }),
      };
    }
    case 'wecom':
      return {
        url,
        headers: json,
        body: JSON.stringify({ msgtype: 'markdown', markdown: { content: toMarkdown(rendered) } }),
      };
    case 'feishu': {
      const locale = language === 'zh-CN' ? 'zh_cn' : 'en_us';
      const content = [
        ...rendered.lines.map((line) => [{ tag: 'text', text: line }]),
        [{ tag: 'a', text: rendered.linkText, href: rendered.url }],
      ];
      const body: Record<string, unknown> = {
        msg_type: 'post',
        content: { post: { [locale]: { title: rendered.title, content } } },
      };
      if (target.secret) {
        const timestamp = String(Math.floor(nowMs / 1000));
        body.timestamp = timestamp;
        body.sign = createHmac('sha256', `${timestamp}\n${target.secret}`).update('').digest('base64');
      }
      return { url, headers: json, body: JSON.stringify(body) };
    }
  }
}

/**
 * Whether the receiver accepted the message. Chat robots answer HTTP 200 with an error code in
 * the body when they refuse (bad signature, rate limit, wrong key), so 2xx alone is not success.
 */
export function channelAccepted(
  kind: Exclude<ChannelKind, 'email'>,
  status: number,
  text: string,
): { ok: true } | { ok: false; error: string } {
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}: ${text.slice(0, 200)}` };
  if (kind === 'webhook' || kind === 'slack') return { ok: true };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, error: `unexpected answer: ${text.slice(0, 200)}` };
  }
  const code = kind === 'feishu' ? (parsed.code ?? parsed.StatusCode) : parsed.errcode;
  if (code === 0 || code === undefined) return { ok: true };
  const why = parsed.msg ?? parsed.errmsg ?? parsed.StatusMessage ?? '';
  return { ok: false, error: `${kind} refused the message: ${String(code)} ${String(why)}`.trim() };
}
