/**
 * `clone:` in the pipeline file: what the linter says (line:col, did-you-mean, warnings for
 * what agents cannot get) and what the plan carries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { planClone } from '../../src/pipeline/plan/plan-clone.js';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'a'.repeat(40),
  author: 'dev',
  message: 'work',
};

const file = (clone: string) => `version: 1
image: busybox
${clone}
stages:
  - name: test
    jobs:
      unit: { script: [git describe --always] }
`;

describe('clone: in the pipeline', () => {
  it('a misspelt key is an error at its line and column, with a suggestion', () => {
    const { config, diagnostics } = loadConfig(file('clone:\n  dept: 3'), '.slipway.yml');
    assert.equal(config, null);
    const d = diagnostics.find((x) => x.severity === 'error');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.equal(d.line, 4);
    assert.equal(d.col, 3);
    assert.match(d.message, /unknown key "dept"/);
    assert.match(d.message, /did you mean "depth"\?/);
  });

  it('depth must be a whole number of commits; a value of another type names both forms', () => {
    const negative = loadConfig(file('clone: { depth: -1 }'), '.slipway.yml');
    assert.equal(negative.config, null);
    assert.deepEqual(
      negative.diagnostics.map((d) => [d.line, d.col, d.message]),
      [[3, 17, '"depth" of "clone" must have at least 0']],
    );
    const fraction = loadConfig(file('clone: { depth: 2.5 }'), '.slipway.yml');
    assert.equal(fraction.config, null);
    assert.equal(fraction.diagnostics[0]?.line, 3);
    assert.match(fraction.diagnostics[0]?.message ?? '', /"depth" of "clone"/);
    const yes = loadConfig(file('clone: yes'), '.slipway.yml');
    assert.equal(yes.config, null);
    assert.deepEqual(
      yes.diagnostics.map((d) => [d.line, d.col]),
      [[3, 8]],
    );
    assert.match(yes.diagnostics[0]?.message ?? '', /"clone" must be true or false or a mapping, not "yes"/);
  });

  it('submodules and lfs are warnings saying they are unsupported, at their keys', () => {
    const { config, diagnostics } = loadConfig(
      file('clone:\n  depth: 10\n  submodules: true\n  lfs: true'),
      '.slipway.yml',
    );
    assert.ok(config, JSON.stringify(diagnostics));
    const warnings = diagnostics.filter((d) => d.code === 'clone-unsupported');
    assert.deepEqual(
      warnings.map((w) => [w.severity, w.line, w.col, w.path]),
      [
        ['warning', 5, 3, 'clone.submodules'],
        ['warning', 6, 3, 'clone.lfs'],
      ],
    );
    assert.match(warnings[0]?.message ?? '', /submodules: true is not supported/);
    assert.match(warnings[1]?.message ?? '', /LFS/);
  });

  it('the plan carries the checkout; without the key the default applies', () => {
    const plan = (clone: string) => {
      const { config, diagnostics } = loadConfig(file(clone), '.slipway.yml');
      assert.ok(config, JSON.stringify(diagnostics));
      return compilePlan(config, event);
    };
    const none = plan('');
    assert.equal(none.clone, undefined);
    assert.deepEqual(planClone(none), { depth: 50, tags: false });
    assert.equal(plan('clone: false').clone, false);
    assert.deepEqual(plan('clone: true').clone, { depth: 50, tags: false });
    assert.deepEqual(plan('clone: { depth: 0, tags: true }').clone, { depth: 0, tags: true });
    assert.deepEqual(plan('clone: { tags: true, lfs: true }').clone, { depth: 50, tags: true });
  });
});
