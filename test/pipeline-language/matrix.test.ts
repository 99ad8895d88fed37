/**
 * `matrix:` and GitLab's `parallel: { matrix: [...] }`: one job per combination, named after
 * it, with its values as variables; `needs` on the matrix job's name fans in to all of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;
const event = {
  kind: 'push' as const,
  ref: { kind: 'branch' as const, name: 'main' },
  sha: 'a'.repeat(40),
  author: 'dev',
  message: 'm',
};

describe('matrix', () => {
  it('makes one job per combination, with variables, and fans needs in', () => {
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'stages:',
        '  - name: 测试',
        '    jobs:',
        '      test:',
        '        matrix: { node: [18, 20], db: [pg, mysql] }',
        '        variables: { LIKE: "no" }',
        '        script: echo $node $db',
        '  - name: 汇总',
        '    jobs:',
        '      report: { needs: [test], script: echo done }',
      ),
      '.slipway.yml',
    );
    assert.deepEqual(diagnostics, []);
    assert.ok(config);
    const names = [
      'test [node=18, db=pg]',
      'test [node=18, db=mysql]',
      'test [node=20, db=pg]',
      'test [node=20, db=mysql]',
    ];
    assert.deepEqual(Object.keys(config.stages[0]!.jobs), names);
    const plan = compilePlan(config, event);
    const [first] = plan.stages[0]!.jobs;
    assert.deepEqual(first!.env, { LIKE: 'no', node: '18', db: 'pg' });
    assert.deepEqual(plan.stages[1]!.jobs[0]!.dependsOn, names);
  });

  it("takes GitLab's parallel: matrix list form (the union of each entry)", () => {
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      deploy:',
        '        script: echo',
        '        parallel:',
        '          matrix:',
        '            - { PROVIDER: aws, STACK: [monitoring, app] }',
        '            - { PROVIDER: ovh }',
      ),
      '.slipway.yml',
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(Object.keys(config!.stages[0]!.jobs), [
      'deploy [PROVIDER=aws, STACK=monitoring]',
      'deploy [PROVIDER=aws, STACK=app]',
      'deploy [PROVIDER=ovh]',
    ]);
  });

  it('refuses more combinations than the cap, at the matrix key', () => {
    const values = Array.from({ length: 9 }, (_, i) => i).join(', ');
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      big:',
        '        script: echo',
        `        matrix: { a: [${values}], b: [${values}] }`,
      ),
      '.slipway.yml',
    );
    assert.equal(config, null);
    const d = diagnostics.find((x) => x.code === 'matrix-too-large');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(d.message, /makes 81 jobs; at most 64/);
    assert.deepEqual([d.line, d.col], [8, 9]);
  });

  it('a malformed matrix is reported by the schema check, located', () => {
    const { diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      j:',
        '        script: echo',
        '        matrix: { node: [] }',
      ),
      '.slipway.yml',
    );
    const d = diagnostics.find((x) => x.path.endsWith('matrix.node'));
    assert.ok(d, JSON.stringify(diagnostics));
    assert.equal(d.line, 8);
  });
});
