/**
 * What a lease can read of git, over the HTTP agent protocol of a real server with real pushes:
 * `source.tar` of its own lease is its run's commit with a shallow `.git` holding that commit's
 * history only — no other branch of the project, nothing of another project, no credential —
 * and another agent's lease answers 404, whatever the request says.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/protocol/agent-protocol.js';
import { insertProject, workRepo } from '../support/git.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const PIPELINE = `version: 1
image: busybox
clone: { depth: 2 }
stages:
  - name: test
    jobs:
      unit: { script: [git log] }
`;

describe('clone: what one lease can read', { timeout: 120_000 }, () => {
  let t: TestServer;
  let pushToken = '';
  const dirs: string[] = [];
  before(async () => {
    t = await startTestServer();
    pushToken = await createUserWithToken(t.server, 'pusher', 'maintainer');
  });
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await t.close();
  });

  const agentToken = async (name: string) => {
    const res = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name }) });
    return ((await res.json()) as { token: string }).token;
  };
  const agentCall = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  const lease = async (token: string) => {
    const res = await agentCall(token, '/api/agent/lease', {
      method: 'POST',
      body: JSON.stringify({ waitMs: 5000 }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { leaseId: string; projectId: string };
  };
  const pushProject = async (name: string, files: string[]) => {
    await insertProject(t.server, { name });
    const work = await workRepo();
    dirs.push(work.dir);
    const shas: string[] = [];
    for (const [i, text] of files.entries()) {
      shas.push(await work.commit({ '.slipway.yml': PIPELINE, 'app.txt': text }, `commit ${i}`));
    }
    await work.git(
      'remote',
      'add',
      'origin',
      `${t.url.replace('://', `://pusher:${pushToken}@`)}/git/${name}.git`,
    );
    return { work, shas };
  };

  test("a lease reads its own run's shallow history and nothing else; another lease is 404", async () => {
    const a = await pushProject('scope-a', ['a1', 'a2', 'a3', 'a4']);
    // A branch of A that the run is not about: its commit must not travel.
    await a.work.git('checkout', '-q', '-b', 'private');
    // [skip ci]: this push queues nothing, so the only execution of A is main's.
    const hidden = await a.work.commit({ 'secret.txt': 'not for this run' }, 'private work [skip ci]');
    await a.work.git('push', '-q', 'origin', 'private');
    await a.work.git('checkout', '-q', 'main');
    await a.work.git('push', '-q', 'origin', 'main');
    await waitForQueued(t, 1);
    const b = await pushProject('scope-b', ['b1', 'b2']);
    await b.work.git('push', '-q', 'origin', 'main');
    await waitForQueued(t, 2);

    const tokenA = await agentToken('scope-agent-a');
    const tokenB = await agentToken('scope-agent-b');
    const leaseA = await lease(tokenA);
    const leaseB = await lease(tokenB);
    assert.notEqual(leaseA.projectId, leaseB.projectId);
    const projectA = await t.server.ctx.db
      .selectFrom('projects')
      .select('id')
      .where('name', '=', 'scope-a')
      .executeTakeFirstOrThrow();
    const [mine] = leaseA.projectId === projectA.id ? [leaseA, leaseB] : [leaseB, leaseA];
    const [myToken, theirToken] = mine === leaseA ? [tokenA, tokenB] : [tokenB, tokenA];

    // Another agent's lease: 404, also with a sha in the query (the request names nothing).
    const stolen = await agentCall(theirToken, `/api/agent/leases/${mine.leaseId}/source.tar?sha=${hidden}`);
    assert.equal(stolen.status, 404);
    await stolen.body?.cancel();
    const noToken = await fetch(`${t.url}/api/agent/leases/${mine.leaseId}/source.tar`, {
      headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    });
    assert.equal(noToken.status, 401);
    await noToken.body?.cancel();

    const res = await agentCall(myToken, `/api/agent/leases/${mine.leaseId}/source.tar?sha=${hidden}`);
    assert.equal(res.status, 200);
    const dir = await mkdtemp(join(tmpdir(), 'slipway-scope-'));
    dirs.push(dir);
    await writeFile(join(dir, 'source.tar'), Buffer.from(await res.arrayBuffer()));
    const checkout = join(dir, 'ws');
    await run('mkdir', [checkout]);
    await run('tar', ['-xf', join(dir, 'source.tar'), '-C', checkout]);
    const git = async (...args: string[]) =>
      (await run('git', ['-c', `safe.directory=${checkout}`, ...args], { cwd: checkout })).stdout.trim();

    const head = a.shas[3] as string;
    assert.equal(await git('rev-parse', 'HEAD'), head);
    assert.deepEqual(
      (await git('rev-list', '--all')).split('\n'),
      [head, a.shas[2]],
      'depth 2, one line of history',
    );
    assert.equal(await git('for-each-ref', '--format=%(refname)'), 'refs/heads/main');
    for (const foreign of [hidden, ...b.shas, a.shas[0] as string]) {
      await assert.rejects(git('cat-file', '-e', foreign), `${foreign} must not be in the checkout`);
    }
    const config = await readFile(join(checkout, '.git', 'config'), 'utf8');
    assert.ok(!config.includes(pushToken) && !config.includes('remote'), config);
    assert.equal(await readFile(join(checkout, 'app.txt'), 'utf8'), 'a4');
    await assert.rejects(readFile(join(checkout, '.git', 'FETCH_HEAD')), 'no trace of the server path');
  });
});

async function waitForQueued(t: TestServer, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await t.server.ctx.db
      .selectFrom('queue')
      .select('id')
      .where('status', '=', 'queued')
      .execute();
    if (rows.length >= count) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} queued executions`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
