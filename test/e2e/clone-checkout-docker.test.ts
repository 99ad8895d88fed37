/**
 * `clone:` end to end: a real server, a real `git push` with a token in the remote URL, and a
 * real `slipway agent` process talking to the server over HTTP only, running the jobs on the
 * Docker engine. The workspace holds a shallow repository of the pushed commit: the branch is
 * checked out, `git log` shows exactly `depth` commits, `git describe` works (with the tags
 * inside the history when asked for), `.git/config` names no credential, and an image running
 * as an unprivileged user reads it too. `clone: false` gives the files without `.git`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { registerAgent, startDockerAgent, stopAgents } from '../support/agents.js';
import type { CliProcess } from '../support/cli.js';
import { insertProject, workRepo } from '../support/git.js';
import { ensureGitImages } from '../support/git-image.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const docker = new Dockerode();
const PUBLIC_URL = 'http://slipway.clone.test';
let t: TestServer;
let images = { root: '', user: '' };
let pushToken = '';
let agent: CliProcess | null = null;

before(async () => {
  images = await ensureGitImages(docker);
  t = await startTestServer({ SLIPWAY_PUBLIC_URL: PUBLIC_URL });
  pushToken = await createUserWithToken(t.server, 'cloner', 'maintainer');
  const token = await registerAgent(t, 'clone-agent');
  agent = startDockerAgent(t, token, { cwd: t.dataDir, killAfterMs: 400_000 });
});

after(async () => {
  if (agent) await stopAgents([agent], 'SIGTERM');
  await t.close();
});

/** Waits for the run of `sha` to end; returns its status and each job's log text. */
async function finishedRun(sha: string): Promise<{ status: string; logs: Map<string, string> }> {
  const db = t.server.ctx.db;
  const run = await until(
    `the run of ${sha.slice(0, 7)} to end`,
    () =>
      db
        .selectFrom('runs')
        .selectAll()
        .where('sha', '=', sha)
        .where('status', 'in', ['succeeded', 'failed', 'canceled'])
        .executeTakeFirst(),
    { timeoutMs: 180_000, intervalMs: 100 },
  );
  const jobs = await db.selectFrom('jobs').select('name').where('run_id', '=', run.id).execute();
  const logs = new Map<string, string>();
  for (const job of jobs) {
    const lines = await t.server.ctx.logs.read(run.id, job.name, 0, 100_000);
    logs.set(job.name, lines.map((l) => l.text).join('\n'));
  }
  return { status: run.status, logs };
}

const SCRIPT = [
  'echo "count=$(git log --oneline | wc -l)"',
  'echo "head=$(git rev-parse HEAD)"',
  'echo "branch=$(git rev-parse --abbrev-ref HEAD)"',
  'echo "always=$(git describe --always)"',
  'echo "tags=$(git describe --tags)"',
  'echo "status=$(git status --porcelain | wc -l)"',
  'echo "--- config"',
  'cat .git/config',
  'echo "--- end"',
];

describe('clone: a git checkout in the workspace, from the server', { timeout: 400_000 }, () => {
  test('depth, branch, describe, no credential, non-root image; clone: false has no .git', async () => {
    await insertProject(t.server, { name: 'clonegit' });
    const work = await workRepo();
    try {
      const pipeline = `version: 1
image: ${images.root}
clone: { depth: 3, tags: true }
stages:
  - name: check
    jobs:
      as-root: { script: ${JSON.stringify(SCRIPT)} }
      as-user: { image: ${images.user}, script: ${JSON.stringify(SCRIPT)} }
`;
      await work.commit({ '.slipway.yml': pipeline, 'a.txt': '1' }, 'one');
      await work.commit({ 'a.txt': '2' }, 'two');
      await work.commit({ 'a.txt': '3' }, 'three');
      await work.commit({ 'a.txt': '4' }, 'four');
      await work.git('tag', '-a', 'v1.0', '-m', 'release 1.0');
      const head = await work.commit({ 'a.txt': '5' }, 'five');
      await work.git(
        'remote',
        'add',
        'origin',
        `${t.url.replace('://', `://cloner:${pushToken}@`)}/git/clonegit.git`,
      );
      await work.git('push', '-q', 'origin', 'main', 'v1.0');

      const { status, logs } = await finishedRun(head);
      for (const job of ['as-root', 'as-user']) {
        const log = logs.get(job) ?? '';
        assert.equal(status, 'succeeded', log);
        assert.match(log, /^count=3$/m, 'depth 3: three commits of history');
        assert.match(log, new RegExp(`^head=${head}$`, 'm'));
        assert.match(log, /^branch=main$/m, 'the branch is checked out');
        assert.match(log, new RegExp(`^always=v1\\.0-1-g${head.slice(0, 7)}`, 'm'));
        assert.match(log, new RegExp(`^tags=v1\\.0-1-g${head.slice(0, 7)}`, 'm'));
        assert.match(log, /^status=0$/m, 'the working tree is the commit');
        const config = log.slice(log.indexOf('--- config'), log.indexOf('--- end'));
        assert.ok(!config.includes(pushToken), 'no token in .git/config');
        assert.ok(!config.includes('@'), config);
        assert.match(config, /url = http:\/\/slipway\.clone\.test\/git\/clonegit\.git/);
        assert.ok(!log.includes(pushToken));
      }

      // Depth is the pipeline's: one commit, and without tags describe falls back to the sha.
      const shallow = pipeline.replace('clone: { depth: 3, tags: true }', 'clone: { depth: 1 }');
      const one = await work.commit({ '.slipway.yml': shallow }, 'depth one');
      await work.git('push', '-q', 'origin', 'main');
      const second = await finishedRun(one);
      const rootLog = second.logs.get('as-root') ?? '';
      assert.equal(second.status, 'succeeded', rootLog);
      assert.match(rootLog, /^count=1$/m);
      assert.match(rootLog, new RegExp(`^always=${one.slice(0, 7)}$`, 'm'));

      const plain = `version: 1
image: ${images.root}
clone: false
stages:
  - name: check
    jobs:
      files: { script: ["test ! -e .git && echo no-git", "cat a.txt"] }
`;
      const files = await work.commit({ '.slipway.yml': plain, 'a.txt': 'plain files' }, 'no clone');
      await work.git('push', '-q', 'origin', 'main');
      const third = await finishedRun(files);
      const filesLog = third.logs.get('files') ?? '';
      assert.equal(third.status, 'succeeded', filesLog);
      assert.match(filesLog, /^no-git$/m);
      assert.match(filesLog, /^plain files$/m);
    } finally {
      await work.cleanup();
    }
  });
});
