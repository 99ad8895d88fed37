/**
 * `slipway runs` and `slipway logs --follow` print why a canceled run was canceled where they
 * print its status: a real server, runs created through the run service, the CLI as a subprocess.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { configSources, insertProject, push, useSources } from './fixtures.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

test('the CLI prints "canceled (superseded by #N)" and "canceled (by user)" next to the status', async () => {
  const runs = useSources(t, configSources());
  const project = await insertProject(t);
  const superseded = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  const newer = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  const clicked = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  // What auto-cancel records (supersede-runs.ts) and what the Cancel button records.
  await t.server.ctx.db
    .updateTable('runs')
    .set({ cancel_reason: JSON.stringify({ code: 'superseded', by: newer.number }) })
    .where('id', '=', superseded.id)
    .execute();
  await runs.cancel(superseded.id, 'slipway');
  await runs.cancel(clicked.id, 'max');

  const env = { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken, SLIPWAY_PROJECT: project.name };
  const listed = await runCli(['runs'], { cwd: tmpdir(), env, killAfterMs: 30_000 });
  assert.equal(listed.code, 0, listed.stderr);
  const lineOf = (n: number) => listed.stdout.split('\n').find((l) => l.startsWith(`#${n} `)) ?? '';
  assert.match(lineOf(superseded.number), new RegExp(`canceled \\(superseded by #${newer.number}\\)`));
  assert.match(lineOf(clicked.number), /canceled \(by max\)/);
  assert.doesNotMatch(lineOf(newer.number), /canceled|superseded/);

  const followed = await runCli(['logs', String(superseded.number), '--follow'], {
    cwd: tmpdir(),
    env,
    killAfterMs: 30_000,
  });
  assert.equal(followed.code, 1, followed.stderr);
  assert.match(followed.stdout, new RegExp(`canceled \\(superseded by #${newer.number}\\)\\n$`));
});
