/** Operating endpoints: health, Prometheus metrics, and the generated API description. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../src/server/store/tables.js';
import { fakeSources } from '../support/recording-fakes.js';
import { jobRow, runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { withToken } from '../support/session-client.js';

describe('system routes', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    t.server.ctx.sources = fakeSources();
  });
  after(() => t.close());

  test('healthz is 200 with a working database and 503 without', async () => {
    const ok = await fetch(`${t.url}/healthz`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), {
      status: 'ok',
      db: 'ok',
      checks: { database_read: 'ok', database_write: 'ok' },
    });

    const real = t.server.ctx.db;
    t.server.ctx.db = new Kysely<Database>({
      dialect: new SqliteDialect({
        database: async () => {
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        },
      }),
    });
    try {
      const down = await fetch(`${t.url}/healthz`);
      assert.equal(down.status, 503);
      const report = (await down.json()) as { status: string; checks: unknown; error: { code: string } };
      assert.equal(report.status, 'error');
      assert.deepEqual(report.checks, { database_read: 'failed', database_write: 'skipped' });
      assert.equal(report.error.code, 'database_unavailable');
    } finally {
      t.server.ctx.db = real;
    }
  });

  test('metrics: Prometheus text with runs, queue, job durations and agents; needs a token', async () => {
    assert.equal((await fetch(`${t.url}/metrics`)).status, 401);
    const { db } = t.server.ctx;
    const res = await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({
        visibility: 'internal',
        name: 'm',
        source: { kind: 'builtin' },
      }),
    });
    const projectId = ((await res.json()) as { id: string }).id;
    const now = Date.now();
    const runIds: string[] = [];
    for (const [n, status] of [
      [1, 'succeeded'],
      [2, 'failed'],
      [3, 'queued'],
    ] as const) {
      const id = randomUUID();
      runIds.push(id);
      await db
        .insertInto('runs')
        .values(
          runRow({
            id,
            project_id: projectId,
            number: n,
            actor: 'a',
            author: '',
            status,
            created_at: now,
            started_at: now,
          }),
        )
        .execute();
    }
    const job = (name: string, seconds: number, finishedAgo: number) =>
      jobRow({
        run_id: runIds[0]!,
        name,
        stage: 's',
        status: 'succeeded',
        exit_code: 0,
        started_at: now - finishedAgo - seconds * 1000,
        finished_at: now - finishedAgo,
      });
    await db
      .insertInto('jobs')
      .values([job('fast', 3, 1000), job('slow', 90, 1000), job('old', 10, 2 * 24 * 3600 * 1000)])
      .execute();
    await db
      .insertInto('queue')
      .values([queued(runIds[2]!, projectId, 'queued'), queued(runIds[0]!, projectId, 'leased')])
      .execute();
    await db
      .insertInto('agents')
      .values({
        id: randomUUID(),
        name: 'a1',
        token_hash: randomUUID(),
        embedded: 1,
        created_at: now,
        last_seen_at: now,
      })
      .execute();

    const viewer = await createUserWithToken(t.server, 'prom', 'viewer');
    const metrics = await withToken(t, viewer, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    const lines = text.split('\n');
    for (const expected of [
      '# TYPE slipway_runs gauge',
      'slipway_runs{status="succeeded"} 1',
      'slipway_runs{status="failed"} 1',
      'slipway_runs{status="queued"} 1',
      'slipway_runs{status="canceled"} 0',
      'slipway_queue_depth 1',
      'slipway_queue_leased 1',
      '# TYPE slipway_job_duration_seconds histogram',
      'slipway_job_duration_seconds_bucket{le="1"} 0',
      'slipway_job_duration_seconds_bucket{le="5"} 1',
      'slipway_job_duration_seconds_bucket{le="60"} 1',
      'slipway_job_duration_seconds_bucket{le="120"} 2',
      'slipway_job_duration_seconds_bucket{le="+Inf"} 2',
      'slipway_job_duration_seconds_sum 93',
      'slipway_job_duration_seconds_count 2',
      'slipway_agents{embedded="true"} 1',
      'slipway_agents{embedded="false"} 0',
    ]) {
      assert.ok(lines.includes(expected), `missing "${expected}" in:\n${text}`);
    }
    // Every line is a comment or `name{labels} value`.
    for (const line of lines.filter(Boolean)) {
      assert.match(
        line,
        /^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[\d.e+]+|.*\+Inf"\} \d+)$/,
        line,
      );
    }
  });

  test('openapi.json describes every declared route, including ones registered later', async () => {
    const res = await fetch(`${t.url}/api/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            tags: string[];
            security: unknown[];
            requestBody?: unknown;
            parameters?: { name: string; in: string }[];
          }
        >
      >;
      components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const [path, method] of [
      ['/healthz', 'get'],
      ['/api/session', 'post'],
      ['/api/projects', 'post'],
      ['/api/projects/{project}', 'patch'],
      ['/api/projects/{project}/secrets/{name}', 'put'],
      ['/api/projects/{project}/schedules', 'post'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
    for (const route of t.server.ctx.routes.routes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.url} is documented`);
    }
    const create = doc.paths['/api/projects']!.post!;
    assert.deepEqual(create.tags, ['projects']);
    assert.ok(create.requestBody);
    assert.deepEqual(create.security, [{ bearer: [] }, { cookie: [] }]);
    assert.deepEqual(doc.paths['/healthz']!.get!.security, []);
    assert.deepEqual(
      doc.paths['/api/projects/{project}/secrets/{name}']!.put!.parameters?.map((p) => `${p.in}:${p.name}`),
      ['path:project', 'path:name'],
    );
    assert.equal(doc.components.securitySchemes.bearer?.type, 'http');
    assert.equal(doc.components.securitySchemes.cookie?.name, 'slipway_session');
  });

  test('/api/docs is server-rendered HTML with no scripts, under a strict CSP', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script|<style|\sstyle=|\son[a-z]+=/i);
    assert.match(html, /<h2>projects<\/h2>/);
    assert.match(html, /\/api\/projects\/\{project\}\/secrets/);
    const css = await fetch(`${t.url}/api/docs.css`);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });
});

function queued(runId: string, projectId: string, status: 'queued' | 'leased') {
  return {
    id: randomUUID(),
    run_id: runId,
    project_id: projectId,
    selection: '{}',
    run_manual: 0,
    reuse_workspace: 0,
    status,
    cancel_requested: 0,
    enqueued_at: Date.now(),
    lease_id: null,
    agent_id: null,
    leased_at: null,
    heartbeat_at: null,
  };
}
