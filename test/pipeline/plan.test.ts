import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import type { PipelineConfig } from '../../src/pipeline/config/schema.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { evaluateFilters } from '../../src/pipeline/plan/filters.js';

const event = (over: Partial<PipelineEvent> = {}): PipelineEvent => ({
  kind: 'push',
  ref: { kind: 'branch', name: 'develop' },
  sha: 'abcdef0123456789',
  author: 'dev',
  message: 'work',
  ...over,
});

const config: PipelineConfig = {
  version: 1,
  image: 'busybox',
  env: { A: 'pipeline', N: 3 },
  stages: [
    { name: 'build', jobs: { compile: { script: 'make', env: { A: 'job' } } } },
    {
      name: 'test',
      jobs: {
        unit: {
          script: ['a', 'b'],
          image: 'node:20',
          services: { db: 'postgres:16', web: { image: 'busybox', command: 'httpd -f' } },
        },
        e2e: { script: ['c'], needs: ['compile'], timeout: '90s', when: 'manual' },
      },
    },
  ],
};

test('the plan is plain JSON with merged env, compiled dependencies and defaults', () => {
  const plan = compilePlan(config, event());
  assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan, 'round-trips through JSON');
  assert.equal(plan.record, 'develop-abcdef0');
  assert.equal(plan.gitflow, 'develop');
  const [compile, unit, e2e] = plan.stages.flatMap((s) => s.jobs);
  assert.deepEqual(compile?.env, { A: 'job', N: '3' });
  assert.equal(compile?.image, 'busybox');
  assert.deepEqual(compile?.script, ['make']);
  assert.deepEqual(unit?.dependsOn, ['compile']);
  assert.equal(unit?.dag, false);
  assert.deepEqual(unit?.services, [
    { name: 'db', image: 'postgres:16', env: {}, command: null },
    { name: 'web', image: 'busybox', env: {}, command: ['/bin/sh', '-c', 'httpd -f'] },
  ]);
  assert.equal(e2e?.dag, true);
  assert.equal(e2e?.timeoutMs, 90_000);
  assert.equal(e2e?.manual, true);
  assert.equal(e2e?.allowFailure, true, 'manual jobs are optional unless told otherwise');
});

test('[skip ci] and [ci skip] skip the whole run, case-insensitively', () => {
  assert.equal(compilePlan(config, event({ message: 'fix\n\n[skip ci]' })).skip?.code, 'skip_ci');
  assert.equal(compilePlan(config, event({ message: '[CI SKIP] docs' })).skip?.code, 'skip_ci');
  assert.equal(compilePlan(config, event({ message: 'skip ci please' })).skip, null);
});

test('filters: classes, anchored regexes, events, except', () => {
  const feature = event({ ref: { kind: 'branch', name: 'feature/pay' } });
  const tag = event({ kind: 'tag', ref: { kind: 'tag', name: 'v2.0.0' } });
  assert.equal(evaluateFilters(['feature'], undefined, feature).matches, true);
  assert.equal(evaluateFilters(['main'], undefined, feature).matches, false);
  assert.equal(evaluateFilters(['feature/p'], undefined, feature).matches, false, 'regexes are anchored');
  assert.equal(evaluateFilters(['feature/p.*'], undefined, feature).matches, true);
  assert.equal(evaluateFilters({ tags: ['v\\d+\\..*'] }, undefined, tag).matches, true);
  assert.equal(evaluateFilters({ tags: ['v\\d+\\..*'] }, undefined, feature).matches, false);
  assert.equal(evaluateFilters({ branches: ['main'] }, undefined, tag).matches, false);
  assert.equal(evaluateFilters(['tag'], undefined, tag).matches, true);
  assert.equal(evaluateFilters({ events: ['tag'] }, undefined, tag).matches, true);
  assert.equal(evaluateFilters({ events: ['pull_request'] }, undefined, feature).matches, false);
  assert.equal(evaluateFilters(undefined, ['feature'], feature).matches, false);
  assert.match(evaluateFilters(['main'], undefined, feature).why, /branch "feature\/pay"/);
  assert.equal(evaluateFilters(['(unclosed'], undefined, feature).matches, false);
});

test('interruptible: the top-level default, a job may say otherwise; absent means not interruptible', () => {
  const jobs = (over: Partial<PipelineConfig>) =>
    compilePlan({ ...config, ...over }, event()).stages.flatMap((s) => s.jobs);
  assert.ok(
    jobs({}).every((j) => j.interruptible === undefined),
    'absent: plans read as before',
  );
  const defaulted = jobs({
    interruptible: true,
    stages: [{ name: 'build', jobs: { a: { script: 'x' }, b: { script: 'y', interruptible: false } } }],
  });
  assert.deepEqual(
    defaulted.map((j) => [j.name, j.interruptible ?? false]),
    [
      ['a', true],
      ['b', false],
    ],
  );
  const perJob = jobs({ stages: [{ name: 'build', jobs: { a: { script: 'x', interruptible: true } } }] });
  assert.equal(perJob[0]?.interruptible, true);
});
