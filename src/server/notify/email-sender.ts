import { createTransport } from 'nodemailer';
import type { OutboundPolicy } from '../git/outbound-policy.js';
import type { EmailSettings } from './channel-config.js';
import { type RenderedMessage, toPlainText } from './notification-text.js';

/**
 * Sends one notification by SMTP with nodemailer (a well-kept mailer: STARTTLS, AUTH, proper
 * MIME and encoded headers for Chinese subjects are its job, not ours). The SMTP host passes
 * the outbound policy like any URL, and the connection goes to the checked address; TLS still
 * verifies the certificate against the host name (`servername`).
 * Resolves with the server's answer line (`250 …`), rejects with its refusal.
 */
export async function sendEmail(
  policy: OutboundPolicy,
  settings: EmailSettings,
  password: string | undefined,
  rendered: RenderedMessage,
  language: string,
  timeoutMs: number,
): Promise<string> {
  const { pinnedAddresses } = await policy.check({
    kind: 'http',
    url: new URL(`http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}`),
    authorization: null,
  });
  const transport = createTransport({
    host: pinnedAddresses[0] ?? settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: password ?? '' } } : {}),
    tls: { servername: settings.host },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: rendered.title,
      text: toPlainText(rendered),
      html: toHtml(rendered, language),
      headers: { 'Content-Language': language },
    });
    return String(info.response ?? '');
  } finally {
    transport.close();
  }
}

function toHtml(m: RenderedMessage, language: string): string {
  const lines = m.lines.map((l) => `<p style="font-family:monospace">${escapeHtml(l)}</p>`).join('');
  return `<!doctype html><html lang="${escapeHtml(language)}"><body><h3>${escapeHtml(m.title)}</h3>${lines}<p><a href="${escapeHtml(m.url)}">${escapeHtml(m.linkText)}</a></p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
