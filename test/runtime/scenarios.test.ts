/**
 * Scenario tests: each `test/fixtures/scenarios/NN_name.yml` is a pipeline, its `.json` the event
 * overrides, run options and expected outcome. They run the whole config → plan → runtime loop
 * in-process on the fake backend; the Docker backend has its own tests on the real engine.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { type RunOptions, runPipeline } from '../../src/runtime/run-pipeline.js';

const DIR = join(import.meta.dirname, '../fixtures/scenarios');

interface Scenario {
  event?: Partial<PipelineEvent>;
  options?: Partial<Pick<RunOptions, 'secrets' | 'selection' | 'runManual' | 'maxParallelJobs'>>;
  expect: {
    status: string;
    record?: string;
    stages?: Record<string, string>;
    /** `status` or `status:reason` (failure reason or skip code). */
    jobs: Record<string, string>;
    overlap?: [string, string][];
    /** Most jobs running at the same moment, exactly (the per-run cap was reached and held). */
    maxConcurrent?: number;
    order?: [string, string][];
    /** The first job finished before the second did (a DAG job did not wait for its stage). */
    endsBefore?: [string, string][];
    logIncludes?: Record<string, string>;
    logExcludes?: Record<string, string>;
  };
}

const baseEvent: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '69eb5e8c0ffee0000000000000000000deadbeef',
  author: 'sakeven',
  message: 'feat: integration test',
};

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()) {
  test(`scenario ${file}`, async () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const scenario = JSON.parse(readFileSync(join(DIR, file.replace(/\.yml$/, '.json')), 'utf8')) as Scenario;
    const loaded = loadConfig(text, file);
    assert.deepEqual(
      loaded.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok(loaded.config);
    const plan = compilePlan(loaded.config, { ...baseEvent, ...scenario.event });
    const backend = new FakeBackend();
    const logs = new Map<string, string[]>();
    const result = await runPipeline(plan, {
      runId: `scenario-${file}`,
      runNumber: 1,
      backend,
      source: { kind: 'empty' },
      graceMs: 10,
      ...scenario.options,
      onEvent: (e) => {
        if (e.type === 'log') logs.set(e.job, [...(logs.get(e.job) ?? []), e.line.text]);
      },
    });
    const { expect } = scenario;
    assert.equal(result.status, expect.status, 'run status');
    if (expect.record) assert.equal(result.record, expect.record);
    const jobs = Object.fromEntries(
      result.jobs.map((j) => {
        const detail = j.failure?.reason ?? j.skip?.code;
        const wantsDetail = expect.jobs[j.name]?.includes(':');
        return [j.name, wantsDetail && detail ? `${j.status}:${detail}` : j.status];
      }),
    );
    assert.deepEqual(jobs, expect.jobs, 'job statuses');
    if (expect.stages) {
      assert.deepEqual(
        Object.fromEntries(result.stages.map((s) => [s.name, s.status])),
        expect.stages,
        'stages',
      );
    }
    const span = (job: string) => backend.timeline.find((t) => t.job === job);
    for (const [a, b] of expect.overlap ?? []) {
      const x = span(a);
      const y = span(b);
      assert.ok(x && y && x.start < y.end && y.start < x.end, `${a} and ${b} overlap`);
    }
    if (expect.maxConcurrent !== undefined) {
      assert.equal(mostAtOnce(backend.timeline), expect.maxConcurrent, 'jobs running at once');
    }
    for (const [a, b] of expect.order ?? []) {
      const x = span(a);
      const y = span(b);
      assert.ok(x && y && x.end <= y.start, `${a} ends before ${b} starts`);
    }
    for (const [a, b] of expect.endsBefore ?? []) {
      const x = span(a);
      const y = span(b);
      assert.ok(x && y && x.end <= y.end, `${a} ends before ${b} ends`);
    }
    for (const [job, needle] of Object.entries(expect.logIncludes ?? {})) {
      assert.ok((logs.get(job) ?? []).join('\n').includes(needle), `log of ${job} includes ${needle}`);
    }
    for (const [job, needle] of Object.entries(expect.logExcludes ?? {})) {
      assert.ok(!(logs.get(job) ?? []).join('\n').includes(needle), `log of ${job} excludes the secret`);
    }
    // A run where nothing runs creates nothing; one that ran anything is cleaned up exactly once.
    const ran = result.jobs.some((j) => j.startedAt !== null);
    assert.deepEqual(backend.destroyed, ran ? [`scenario-${file}`] : [], 'cleanup');
  });
}

/** The largest number of spans open at one instant; a span ending as another starts does not overlap it. */
function mostAtOnce(spans: readonly { start: number; end: number }[]): number {
  const edges = spans.flatMap((s) => [
    { at: s.start, delta: 1 },
    { at: s.end, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) {
    open += edge.delta;
    most = Math.max(most, open);
  }
  return most;
}

test('cancel: running jobs end canceled, pending ones skipped, cleanup happens', async () => {
  const loaded = loadConfig(
    'version: 1\nimage: busybox\nstages:\n  - name: a\n    jobs:\n      long: { script: [sleep 10] }\n  - name: b\n    jobs:\n      after: { script: [echo x] }\n',
    'cancel.yml',
  );
  assert.ok(loaded.config);
  const backend = new FakeBackend();
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(), 50);
  const result = await runPipeline(compilePlan(loaded.config, baseEvent), {
    runId: 'cancel-1',
    runNumber: 1,
    backend,
    source: { kind: 'empty' },
    signal: cancel.signal,
  });
  assert.equal(result.status, 'canceled');
  assert.deepEqual(
    result.jobs.map((j) => [j.name, j.status, j.skip?.code ?? null]),
    [
      ['long', 'canceled', null],
      ['after', 'skipped', 'run_canceled'],
    ],
  );
  assert.deepEqual(backend.destroyed, ['cancel-1']);
});
