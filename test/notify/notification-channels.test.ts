/**
 * Notification channels end to end: a real server, runs driven through RunService/RunState, and
 * one real HTTP receiver on loopback per test that checks each channel's documented format and
 * signature (computed here independently). Loopback is allowed through the outbound allowlist,
 * as an admin would allow an internal chat server.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { configSources, insertProject, useSources } from '../runs/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ONE_JOB, type Receiver, runTo, startReceiver, until } from './notify-fixtures.js';

const SECRET = 'sig-secret-0123456789';

describe('notification channels', () => {
  let t: TestServer;
  let runs: DbRunService;
  let project: ProjectRow;
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
    t = await startTestServer({
      SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1',
      SLIPWAY_DELIVERY_RETRY_BASE: '200ms',
      SLIPWAY_PUBLIC_URL: 'https://ci.example.com',
    });
    runs = useSources(t, configSources(ONE_JOB));
    project = await insertProject(t);
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  const channel = async (body: object, path = `/api/projects/${project.name}/notifications`) => {
    const res = await t.api(path, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { id: string };
  };

  test('each kind gets its format and signature; failed then fixed; secrets never come back', async () => {
    const rules = { events: ['run.failed', 'run.fixed'], branches: [] };
    await channel({
      name: 'hook',
      kind: 'webhook',
      rules,
      target: { url: `${receiver.url}/hook`, secret: SECRET },
    });
    await channel({ name: 'slack', kind: 'slack', rules, target: { url: `${receiver.url}/slack` } });
    await channel({
      name: 'ding',
      kind: 'dingtalk',
      language: 'zh-CN',
      rules,
      target: { url: `${receiver.url}/robot/send?access_token=tok123`, secret: SECRET },
    });
    await channel({
      name: 'wecom',
      kind: 'wecom',
      rules,
      target: { url: `${receiver.url}/cgi-bin/webhook/send?key=k-42` },
    });
    await channel({
      name: 'feishu',
      kind: 'feishu',
      language: 'zh-CN',
      rules,
      target: { url: `${receiver.url}/open-apis/bot/v2/hook/abc`, secret: SECRET },
    });

    const failed = await runTo(t, runs, project, 'failed');
    await until('five failure messages', () => receiver.requests.length >= 5);
    const byPath = (prefix: string) => receiver.requests.filter((r) => r.url.startsWith(prefix));

    // Generic webhook: GitHub-style signature over the exact body.
    const hook = byPath('/hook')[0]!;
    const expected = `sha256=${createHmac('sha256', SECRET).update(hook.body).digest('hex')}`;
    assert.equal(hook.headers['x-slipway-signature-256'], expected);
    assert.equal(hook.headers['x-slipway-event'], 'run.failed');
    const hookJson = JSON.parse(hook.body) as {
      event: string;
      url: string;
      run: { number: number };
      text: string;
    };
    assert.equal(hookJson.event, 'run.failed');
    assert.equal(hookJson.run.number, failed.number);
    assert.equal(hookJson.url, `https://ci.example.com/projects/${project.name}/runs/${failed.number}`);
    // The record line: number, who, ref·sha, stage icons, status, duration.
    assert.match(
      hookJson.text,
      new RegExp(`#${failed.number}  \\S+  alice  main·${failed.sha.slice(0, 7)}  ❌ failed  took \\d`),
    );
    // Why, from the failure's code and params, in the channel's language (English here).
    assert.match(hookJson.text, /\nreason: Job “compile” failed: exit code 2\n/);

    const slack = JSON.parse(byPath('/slack')[0]!.body) as { text: string; blocks: unknown[] };
    assert.match(slack.text, /failed/);
    assert.ok(slack.blocks.length >= 2);

    // DingTalk: timestamp (ms) + sign = base64(HMAC-SHA256(secret, ts + "\n" + secret)), URL-encoded.
    const ding = byPath('/robot/send')[0]!;
    const q = new URL(ding.url, 'http://x').searchParams;
    assert.equal(q.get('access_token'), 'tok123');
    const ts = q.get('timestamp') ?? '';
    assert.match(ts, /^\d{13}$/);
    assert.equal(q.get('sign'), createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64'));
    assert.match(ding.url, /sign=[^&]*%/); // base64's + / = are percent-encoded
    const dingJson = JSON.parse(ding.body) as { msgtype: string; markdown: { title: string; text: string } };
    assert.equal(dingJson.msgtype, 'markdown');
    assert.match(dingJson.markdown.title, /失败/);
    assert.match(dingJson.markdown.text, /耗时 \d/);
    // The reason line in Chinese, as the web UI says it; no English sentence in it.
    assert.match(dingJson.markdown.text, /- 原因: 任务“compile”失败：退出码 2\n/);
    assert.doesNotMatch(dingJson.markdown.text, /exit code|failed:/);

    const wecom = byPath('/cgi-bin/webhook/send')[0]!;
    assert.match(wecom.url, /key=k-42/);
    const wecomJson = JSON.parse(wecom.body) as { msgtype: string; markdown: { content: string } };
    assert.equal(wecomJson.msgtype, 'markdown');
    assert.match(wecomJson.markdown.content, /Open in Slipway/);

    // Feishu: timestamp (s) + sign = base64(HMAC-SHA256(key = ts + "\n" + secret, "")).
    const feishu = JSON.parse(byPath('/open-apis')[0]!.body) as {
      timestamp: string;
      sign: string;
      msg_type: string;
      content: { post: { zh_cn: { title: string } } };
    };
    assert.match(feishu.timestamp, /^\d{10}$/);
    assert.equal(
      feishu.sign,
      createHmac('sha256', `${feishu.timestamp}\n${SECRET}`).update('').digest('base64'),
    );
    assert.equal(feishu.msg_type, 'post');
    assert.match(feishu.content.post.zh_cn.title, /失败/);

    // The next green run on the branch is "fixed".
    await runTo(t, runs, project, 'succeeded');
    await until('five fixed messages', () => receiver.requests.length >= 10);
    assert.equal(JSON.parse(byPath('/hook')[1]!.body).event, 'run.fixed');
    // A second green is neither failed nor fixed: nothing more.
    await runTo(t, runs, project, 'succeeded');
    const listed = await (await t.api(`/api/projects/${project.name}/notifications`)).text();
    assert.equal(receiver.requests.length, 10);
    for (const secret of [SECRET, 'tok123', 'k-42', '/open-apis/bot/v2/hook/abc']) {
      assert.ok(!listed.includes(secret), `the channel list leaks ${secret}`);
    }
    const channels = JSON.parse(listed) as {
      id: string;
      name: string;
      host: string;
      configured: { url: boolean; secret: boolean };
    }[];
    const dingChannel = channels.find((c) => c.name === 'ding')!;
    assert.deepEqual(
      [dingChannel.configured.url, dingChannel.configured.secret, dingChannel.host],
      [true, true, receiver.url.slice(7)],
    );
    const log = (await (
      await t.api(`/api/projects/${project.name}/notifications/${dingChannel.id}/deliveries`)
    ).json()) as {
      status: string;
      responseCode: number;
      event: string;
    }[];
    assert.deepEqual(
      log.map((d) => [d.event, d.status, d.responseCode]),
      [
        ['run.fixed', 'succeeded', 200],
        ['run.failed', 'succeeded', 200],
      ],
    );
  });

  test('a refusing receiver is retried with backoff until it accepts; a robot error code is a failure', async () => {
    receiver.requests.length = 0;
    receiver.answers = [
      { status: 502, body: 'bad gateway' },
      { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' },
      { status: 200, body: '{"errcode":0}' },
    ];
    const p = await insertProject(t);
    const { id } = await channel(
      {
        name: 'ding',
        kind: 'dingtalk',
        rules: { events: ['run.failed'] },
        target: { url: `${receiver.url}/robot/send?access_token=x` },
      },
      `/api/projects/${p.name}/notifications`,
    );
    await runTo(t, runs, p, 'failed');
    type Row = { status: string; attempts: number; responseCode: number; error: string | null };
    const logOf = async () =>
      (await (await t.api(`/api/projects/${p.name}/notifications/${id}/deliveries`)).json()) as Row[];
    await until('the third attempt to succeed', async () => (await logOf())[0]?.status === 'succeeded');
    const [row] = await logOf();
    assert.equal(row?.attempts, 3);
    assert.equal(receiver.requests.length, 3);
  });

  test('send test, global defaults for every project, branch rules, write-only updates, bad input', async () => {
    receiver.requests.length = 0;
    receiver.answers = [{ status: 200, body: '{}' }];
    const global = await channel(
      {
        name: 'all',
        kind: 'webhook',
        rules: { events: ['run.succeeded'], branches: ['release/*'] },
        target: { url: `${receiver.url}/global` },
      },
      '/api/notifications',
    );
    const p = await insertProject(t);
    await runTo(t, runs, p, 'succeeded', 'main');
    await runTo(t, runs, p, 'succeeded', 'release/1.2');
    await until('the release branch message', () => receiver.requests.some((r) => r.url === '/global'));
    const sent = receiver.requests
      .filter((r) => r.url === '/global')
      .map((r) => JSON.parse(r.body) as { run: { ref: string } });
    assert.deepEqual(
      sent.map((m) => m.run.ref),
      ['release/1.2'],
    );

    // The project sees the global channel (read-only for it); "send test" on it is the admin's.
    const seen = (await (await t.api(`/api/projects/${p.name}/notifications`)).json()) as {
      id: string;
      scope: string;
    }[];
    assert.equal(seen.find((c) => c.id === global.id)?.scope, 'global');
    assert.equal((await t.api(`/api/notifications/${global.id}/test`, { method: 'POST' })).status, 202);
    await until('the test message', () => receiver.requests.some((r) => JSON.parse(r.body).event === 'test'));

    // An update without `target` keeps the stored URL (write-only).
    const put = await t.api(`/api/notifications/${global.id}`, {
      method: 'PUT',
      body: JSON.stringify({
        name: 'all',
        kind: 'webhook',
        language: 'zh-CN',
        rules: { events: ['run.failed'] },
      }),
    });
    assert.equal(put.status, 200);
    assert.equal(((await put.json()) as { configured: { url: boolean } }).configured.url, true);

    const bad = await t.api(`/api/projects/${p.name}/notifications`, {
      method: 'POST',
      body: JSON.stringify({ name: 'x', kind: 'slack', rules: { events: ['run.failed'] } }),
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /body\.target\.url/);
    const badEvent = await t.api(`/api/projects/${p.name}/notifications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'x',
        kind: 'slack',
        rules: { events: ['run.exploded'] },
        target: { url: receiver.url },
      }),
    });
    assert.equal(badEvent.status, 400);
    assert.match(await badEvent.text(), /body\.rules\.events/);
  });
});

test('without the allowlist a loopback channel is refused by the outbound policy, and the log says so', async () => {
  const receiver = await startReceiver();
  const t = await startTestServer({ SLIPWAY_DELIVERY_RETRY_BASE: '200ms' });
  const runs = useSources(t, configSources(ONE_JOB));
  try {
    const p = await insertProject(t);
    const res = await t.api(`/api/projects/${p.name}/notifications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'h',
        kind: 'webhook',
        rules: { events: ['run.failed'] },
        target: { url: `${receiver.url}/x` },
      }),
    });
    const { id } = (await res.json()) as { id: string };
    await runTo(t, runs, p, 'failed');
    type Row = { status: string; error: string | null };
    let rows: Row[] = [];
    await until('the refusal', async () => {
      rows = (await (await t.api(`/api/projects/${p.name}/notifications/${id}/deliveries`)).json()) as Row[];
      return rows[0]?.status === 'failed';
    });
    assert.match(rows[0]?.error ?? '', /outbound policy: .*loopback/);
    assert.equal(receiver.requests.length, 0);
  } finally {
    await t.close();
    await receiver.close();
  }
});
