import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;
const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'abcdef0123456789',
  author: 'dev',
  message: 'work',
};

describe('runs_on', () => {
  it('the plan carries the union of the top-level and every job runs_on, each job its own', () => {
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'runs_on: { pool: build }',
        'stages:',
        '  - name: one',
        '    jobs:',
        '      a: { script: echo a, runs_on: { arch: arm64, gpu: true } }',
        '      b: { script: echo b }',
      ),
      '.slipway.yml',
    );
    assert.deepEqual(diagnostics, []);
    const plan = compilePlan(config!, event);
    assert.deepEqual(plan.runsOn, { pool: 'build', arch: 'arm64', gpu: 'true' });
    assert.deepEqual(plan.stages[0]!.jobs[0]!.runsOn, { arch: 'arm64', gpu: 'true' });
    assert.equal(plan.stages[0]!.jobs[1]!.runsOn, undefined);
  });

  it('a pipeline without runs_on has no requirement in its plan', () => {
    const { config } = loadConfig(
      lines('version: 1', 'image: x', 'stages:', '  - name: s', '    jobs: { a: { script: x } }'),
      'f.yml',
    );
    assert.equal(compilePlan(config!, event).runsOn, undefined);
  });

  it('a job filtered out of the event does not add its labels', () => {
    const { config } = loadConfig(
      lines(
        'version: 1',
        'image: x',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      a: { script: x }',
        '      release: { script: x, only: { tags: [".*"] }, runs_on: { pool: release } }',
      ),
      'f.yml',
    );
    assert.equal(compilePlan(config!, event).runsOn, undefined);
  });

  it('two values of one label key are an error at the later value, naming the first', () => {
    const { diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'runs_on: { pool: build }',
        'stages:',
        '  - name: one',
        '    jobs:',
        '      a:',
        '        script: echo a',
        '        runs_on:',
        '          pool: deploy',
      ),
      '.slipway.yml',
    );
    const conflict = diagnostics.filter((d) => d.code === 'runs-on-conflict');
    assert.equal(conflict.length, 1);
    assert.equal(conflict[0]!.line, 10);
    assert.equal(conflict[0]!.col, 17);
    assert.equal(conflict[0]!.path, 'stages.0.jobs.a.runs_on.pool');
    assert.match(conflict[0]!.message, /pool: deploy conflicts with pool: build \(line 3\)/);
  });

  it('a label value that could not be declared is a schema error with its position', () => {
    const { diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: x',
        'runs_on:',
        '  pool: "a,b"',
        'stages:',
        '  - name: s',
        '    jobs: { a: { script: x } }',
      ),
      '.slipway.yml',
    );
    assert.ok(diagnostics.length > 0);
    const d = diagnostics[0]!;
    assert.equal(d.severity, 'error');
    assert.equal(d.line, 4);
  });

  it('a misspelt runs_on gets a did-you-mean', () => {
    const { diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: x',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      a: { script: x, run_on: { pool: b } }',
      ),
      '.slipway.yml',
    );
    assert.ok(
      diagnostics.some((d) => /runs_on/.test(d.message)),
      JSON.stringify(diagnostics),
    );
  });
});
