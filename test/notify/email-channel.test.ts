/**
 * The e-mail channel against a real SMTP server (the `smtp-server` library) on loopback with
 * AUTH: "send test" and a failed run arrive as mails from the configured sender to the
 * recipients, authenticated with the stored (write-only) password, in the channel's language.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { configSources, insertProject, useSources } from '../runs/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ONE_JOB, runTo, until } from './notify-fixtures.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user: string;
}

const mails: Mail[] = [];
let smtp: SMTPServer;
let port = 0;
let t: TestServer;

before(async () => {
  smtp = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    // Plain SMTP on loopback: no certificate to trust in a test, so no STARTTLS offered.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'ci-bot' && auth.password === 'smtp-pass-123')
        callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: String(session.user ?? ''),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  t = await startTestServer({
    SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1',
    SLIPWAY_DELIVERY_RETRY_BASE: '200ms',
    SLIPWAY_DELIVERY_MAX_ATTEMPTS: '3',
  });
});
after(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** The Subject header with RFC 2047 encoded words decoded (nodemailer encodes non-ASCII). */
function subjectOf(raw: string): string {
  const header = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '';
  return header
    .replace(/\r?\n[ \t]/g, ' ')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** The text/plain part of a mail, its transfer encoding (base64 or quoted-printable) undone. */
function plainTextOf(raw: string): string {
  const part = /Content-Type: text\/plain[^\r\n]*\r?\n((?:[^\r\n]+\r?\n)*)\r?\n([\s\S]*?)(?:\r?\n--|$)/i.exec(
    raw,
  );
  const headers = part?.[1] ?? '';
  const body = part?.[2] ?? '';
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

test('send test and a failed run arrive by SMTP with AUTH, in the channel language; the password is write-only', async () => {
  const runs = useSources(t, configSources(ONE_JOB));
  const project = await insertProject(t);
  const res = await t.api(`/api/projects/${project.name}/notifications`, {
    method: 'POST',
    body: JSON.stringify({
      name: 'team mail',
      kind: 'email',
      language: 'zh-CN',
      rules: { events: ['run.failed'] },
      settings: {
        host: '127.0.0.1',
        port,
        secure: false,
        user: 'ci-bot',
        from: 'slipway@example.com',
        to: ['dev@example.com', 'ops@example.com'],
      },
      target: { password: 'smtp-pass-123' },
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const created = (await res.json()) as { id: string; configured: { password: boolean } };
  assert.equal(created.configured.password, true);
  assert.ok(!JSON.stringify(created).includes('smtp-pass-123'));

  assert.equal(
    (await t.api(`/api/projects/${project.name}/notifications/${created.id}/test`, { method: 'POST' }))
      .status,
    202,
  );
  await until('the test mail', () => mails.length >= 1);
  assert.equal(mails[0]?.user, 'ci-bot');
  assert.equal(mails[0]?.from, 'slipway@example.com');
  assert.deepEqual(mails[0]?.to, ['dev@example.com', 'ops@example.com']);
  assert.match(subjectOf(mails[0]?.raw ?? ''), /测试消息/);

  const failed = await runTo(t, runs, project, 'failed');
  await until('the failure mail', () => mails.length >= 2);
  const subject = subjectOf(mails[1]?.raw ?? '');
  assert.match(subject, new RegExp(`${project.name} #${failed.number} 失败`));
  // Why it failed, from the failure's code, in the channel's language.
  assert.match(plainTextOf(mails[1]?.raw ?? ''), /\n原因: 任务“compile”失败：退出码 2\r?\n/);
  const log = (await (
    await t.api(`/api/projects/${project.name}/notifications/${created.id}/deliveries`)
  ).json()) as {
    status: string;
    responseCode: number;
  }[];
  assert.deepEqual(
    log.map((d) => [d.status, d.responseCode]),
    [
      ['succeeded', 250],
      ['succeeded', 250],
    ],
  );
});

test('a wrong SMTP password is retried and then shown failed with the server’s refusal', async () => {
  const project = await insertProject(t);
  const res = await t.api(`/api/projects/${project.name}/notifications`, {
    method: 'POST',
    body: JSON.stringify({
      name: 'bad mail',
      kind: 'email',
      rules: { events: ['run.failed'] },
      settings: {
        host: '127.0.0.1',
        port,
        user: 'ci-bot',
        from: 'slipway@example.com',
        to: ['dev@example.com'],
      },
      target: { password: 'wrong-password' },
    }),
  });
  const { id } = (await res.json()) as { id: string };
  await t.api(`/api/projects/${project.name}/notifications/${id}/test`, { method: 'POST' });
  type Row = { status: string; attempts: number; error: string | null; responseCode: number | null };
  let rows: Row[] = [];
  await until('the delivery to fail for good', async () => {
    rows = (await (
      await t.api(`/api/projects/${project.name}/notifications/${id}/deliveries`)
    ).json()) as Row[];
    return rows[0]?.status === 'failed';
  });
  assert.equal(rows[0]?.attempts, 3);
  assert.match(rows[0]?.error ?? '', /invalid credentials|auth/i);
  assert.equal(rows[0]?.responseCode, 535);
});
