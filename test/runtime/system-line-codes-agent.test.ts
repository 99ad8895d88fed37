/**
 * Coded system lines written by the agent after a job and by the local backend, end to end: a
 * real server, a real HTTP agent on the local backend (real processes, real files), and the
 * JSON log route the web UI reads. The artifact upload skips a link, the JUnit report is not
 * JUnit, the job names an image and a cache the local backend cannot honour: each of those
 * lines arrives with its code, its params and the English text Slipway has always written.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import { runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import { LocalBackend } from '../../src/backends/local/local-backend.js';
import type { LogLine } from '../../src/domain/log-line.js';
import type { AgentTransport } from '../../src/protocol/agent-transport.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { endedRun } from '../support/run-state.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      build:
        script:
          - mkdir -p dist reports
          - echo ok > dist/app.txt
          - ln -s /etc/passwd dist/passwd-link
          - echo 'not a report' > reports/bad.xml
        cache: { key: deps, paths: [deps] }
        artifacts: { paths: [dist/] }
        reports: { junit: reports/*.xml }
`;

/** The seeded project has no repository: the agent gets an empty source tar (the job writes its files). */
function withEmptySource(inner: HttpTransport): AgentTransport {
  const transport = Object.create(inner) as AgentTransport;
  transport.source = async () => {
    const tar = pack();
    tar.finalize();
    return tar as unknown as Readable;
  };
  return transport;
}

describe('agent and local backend lines are coded (server + HTTP agent)', () => {
  let t: TestServer;
  let dir = '';
  before(async () => {
    t = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'slipway-syslog2-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('skipped artifact, report problem, ignored image and no caches reach the log API coded', async () => {
    const { ctx } = t.server;
    const project = await seedProject(ctx);
    const run = await seedRun(ctx, project, { pipeline: PIPELINE });
    const number = (
      await ctx.db.selectFrom('runs').select('number').where('id', '=', run.runId).executeTakeFirstOrThrow()
    ).number;
    const created = await t.api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: `syslog2-${randomUUID().slice(0, 8)}` }),
    });
    const { token } = (await created.json()) as { token: string };
    const stop = new AbortController();
    const agent = runAgent({
      transport: withEmptySource(new HttpTransport({ server: t.url, token })),
      backend: new LocalBackend({ baseDir: dir }),
      capacity: 1,
      signal: stop.signal,
      log: () => {},
      leaseWaitMs: 200,
      logFlushMs: 20,
    });
    try {
      await until('the run to end', () => endedRun(ctx.db, run.runId), { timeoutMs: 60_000, intervalMs: 25 });
    } finally {
      stop.abort();
      await agent;
    }
    const res = await t.api(`/api/projects/${project.name}/runs/${number}/jobs/build/logs`);
    const { lines } = (await res.json()) as { lines: LogLine[] };
    const show = lines.map((l) => `${l.code ?? '-'} ${l.text}`).join('\n');
    const byCode = (code: string) => lines.filter((l) => l.code === code);

    assert.deepEqual(
      byCode('local.image_ignored').map((l) => [l.params, l.text]),
      [[{ image: 'busybox' }, '[slipway] local backend: running on the host, image "busybox" is ignored']],
      show,
    );
    assert.deepEqual(
      byCode('local.no_caches').map((l) => [l.params, l.text]),
      [[{}, 'cache: the local backend keeps no caches; the job runs without them']],
      show,
    );
    const skipped = byCode('artifacts.skipped');
    assert.equal(skipped.length, 1, show);
    assert.match(String(skipped[0]?.params?.detail), /dist\/passwd-link.*symbolic link/);
    assert.equal(skipped[0]?.text, `[slipway] artifacts: skipped: ${skipped[0]?.params?.detail}`);
    const problems = byCode('reports.problem');
    assert.ok(problems.length >= 1, show);
    assert.match(String(problems[0]?.params?.detail), /reports\/bad\.xml/);
    assert.equal(problems[0]?.text, `[slipway] reports: ${problems[0]?.params?.detail}`);
    // Every line Slipway itself wrote for this job now carries a code.
    assert.deepEqual(
      lines.filter((l) => l.stream === 'system' && l.code === undefined).map((l) => l.text),
      [],
    );
  });
});
