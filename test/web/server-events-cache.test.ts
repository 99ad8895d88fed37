/**
 * The events hook's cache updates (web/src/api/server-events.ts, runs-cache.ts) on a real
 * TanStack QueryClient: run events land in every cached runs list their filters admit (and only
 * there), job events in the cached run, and announcing kinds mark exactly their queries stale.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryClient } from '@tanstack/react-query';
import { queryKeys, type RunFilters } from '../../web/src/api/query-keys.js';
import type { RunPages } from '../../web/src/api/runs-cache.js';
import { applyServerEvent, SERVER_EVENT_KINDS, type ServerEvent } from '../../web/src/api/server-events.js';
import type { JobJson, RunDetail, RunSummary } from '../../web/src/api/types.js';

const P = 'demo';
const ALL: RunFilters = { branch: '', status: '' };
const FAILED: RunFilters = { branch: '', status: 'failed' };
const OTHER_BRANCH: RunFilters = { branch: 'other', status: '' };

const run = (number: number, status: string, tests: unknown = null) =>
  ({ number, status, ref: { kind: 'branch', name: 'main' }, tests, stages: [] }) as unknown as RunSummary;
const job = (name: string, status: string) => ({ name, status }) as unknown as JobJson;
const pages = (...runs: RunSummary[][]): RunPages => ({
  pages: runs.map((r, i) => ({ runs: r, next: i < runs.length - 1 ? (r.at(-1)?.number ?? null) : null })),
  pageParams: runs.map((_, i) => (i === 0 ? null : (runs[i - 1]?.at(-1)?.number ?? null))),
});
const numbers = (client: QueryClient, filters: RunFilters) =>
  client.getQueryData<RunPages>(queryKeys.runs(P, filters))?.pages.map((p) => p.runs.map((r) => r.number));
const event = (e: Omit<ServerEvent, 'runId'>): ServerEvent => ({ runId: 'r', ...e }) as ServerEvent;
const stale = (client: QueryClient, key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;

function seeded(): QueryClient {
  const client = new QueryClient();
  client.setQueryData(
    queryKeys.runs(P, ALL),
    pages([run(5, 'running', { total: 3 }), run(4, 'failed')], [run(3, 'succeeded')]),
  );
  client.setQueryData(queryKeys.runs(P, FAILED), pages([run(4, 'failed')]));
  client.setQueryData(queryKeys.runs(P, OTHER_BRANCH), pages([]));
  client.setQueryData<RunDetail>(queryKeys.run(P, 5), {
    ...run(5, 'running'),
    jobs: [job('build', 'running'), job('test', 'pending')],
  } as unknown as RunDetail);
  for (const key of [
    queryKeys.images(P),
    queryKeys.applications(P),
    queryKeys.releases(P, 'web'),
    queryKeys.runTests(P, 5),
    queryKeys.collectSite(P, 'web'),
    queryKeys.images('other'),
  ]) {
    client.setQueryData(key, { seeded: true });
  }
  return client;
}

test('a new run goes on top of the lists whose filters admit it, and nowhere else', () => {
  const client = seeded();
  applyServerEvent(client, P, event({ type: 'run', number: 6, data: run(6, 'queued') }));
  assert.deepEqual(numbers(client, ALL), [[6, 5, 4], [3]]);
  assert.deepEqual(numbers(client, FAILED), [[4]]);
  assert.deepEqual(numbers(client, OTHER_BRANCH), [[]]);
});

test('a changed run is updated where it is shown, keeping its test counts', () => {
  const client = seeded();
  applyServerEvent(client, P, event({ type: 'run', number: 5, data: run(5, 'failed') }));
  const first = client.getQueryData<RunPages>(queryKeys.runs(P, ALL))?.pages[0]?.runs[0];
  assert.equal(first?.status, 'failed');
  assert.deepEqual(first?.tests, { total: 3 });
  // The failed list gains it (newer than what it shows); the run's own record follows too.
  assert.deepEqual(numbers(client, FAILED), [[5, 4]]);
  assert.equal(client.getQueryData<RunDetail>(queryKeys.run(P, 5))?.status, 'failed');
  // Every release is a run: the applications and what is below them are re-read.
  assert.equal(stale(client, queryKeys.releases(P, 'web')), true);
  assert.equal(stale(client, queryKeys.images(P)), false);
});

test('a run older than the oldest shown is not inserted into the pages loaded so far', () => {
  const client = seeded();
  applyServerEvent(client, P, event({ type: 'run', number: 2, data: run(2, 'running') }));
  assert.deepEqual(numbers(client, ALL), [[5, 4], [3]]);
});

test('a job event replaces the job in the cached run; its end makes tests and artifacts stale', () => {
  const client = seeded();
  applyServerEvent(client, P, event({ type: 'job', number: 5, data: job('test', 'running') }));
  const jobs = () =>
    client.getQueryData<RunDetail>(queryKeys.run(P, 5))?.jobs.map((j) => `${j.name}:${j.status}`);
  assert.deepEqual(jobs(), ['build:running', 'test:running']);
  assert.equal(stale(client, queryKeys.runTests(P, 5)), false);
  applyServerEvent(client, P, event({ type: 'job', number: 5, data: job('build', 'succeeded') }));
  assert.deepEqual(jobs(), ['build:succeeded', 'test:running']);
  assert.equal(stale(client, queryKeys.runTests(P, 5)), true);
});

test('image, environment and release events mark exactly their queries stale', () => {
  const client = seeded();
  applyServerEvent(client, P, event({ type: 'image', number: 5, data: {} as never }));
  assert.equal(stale(client, queryKeys.images(P)), true);
  assert.equal(stale(client, queryKeys.applications(P)), false);

  applyServerEvent(client, P, event({ type: 'environment', number: 0, data: {} as never }));
  assert.equal(stale(client, queryKeys.applications(P)), true);
  assert.equal(stale(client, queryKeys.releases(P, 'web')), false, 'health does not change releases');

  applyServerEvent(client, P, event({ type: 'release', number: 7, data: {} as never }));
  assert.equal(stale(client, queryKeys.releases(P, 'web')), true);
  assert.equal(
    stale(client, queryKeys.collectSite(P, 'web')),
    false,
    'visitor data does not follow releases',
  );
  // Another project's data is never touched.
  assert.equal(stale(client, queryKeys.images('other')), false);
});

test('the hook listens for every kind the server sends', () => {
  assert.deepEqual([...SERVER_EVENT_KINDS].sort(), ['environment', 'image', 'job', 'release', 'run']);
});
