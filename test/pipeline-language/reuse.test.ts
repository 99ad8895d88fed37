/**
 * Reuse in `.slipway.yml`: YAML merge keys, hidden template jobs, `extends:` (GitLab's deep
 * merge: maps merge, lists and values replace), `default:`, and their errors with line:col.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/pipeline/config/load-config.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

function ok(text: string) {
  const { config, diagnostics } = loadConfig(text, '.slipway.yml');
  assert.ok(config, JSON.stringify(diagnostics, null, 1));
  return config;
}

function jobsOf(text: string) {
  return Object.fromEntries(ok(text).stages.flatMap((s) => Object.entries(s.jobs)));
}

describe('reuse: merge keys, templates, extends, default', () => {
  it('merges YAML merge keys (<<: *anchor) like GitLab', () => {
    const jobs = jobsOf(
      lines(
        'version: 1',
        'image: busybox',
        'x-common: &common',
        '  timeout: 5m',
        '  variables: { A: "1" }',
        'stages:',
        '  - name: test',
        '    jobs:',
        '      unit:',
        '        <<: *common',
        '        script: echo hi',
        '        timeout: 9m',
      ).replace('x-common', '.common'),
    );
    assert.deepEqual(jobs.unit, { timeout: '9m', variables: { A: '1' }, script: 'echo hi' });
  });

  it('extends one or many templates: maps merge, lists and values replace, the job wins', () => {
    const jobs = jobsOf(
      lines(
        'version: 1',
        '.base:',
        '  image: node:20',
        '  variables: { A: "a", B: "b" }',
        '  script: [echo base]',
        '.extra:',
        '  extends: .base',
        '  variables: { B: "B", C: "c" }',
        '  timeout: 2m',
        'stages:',
        '  - name: 构建',
        '    jobs:',
        '      .hidden: { script: echo never }',
        '      编译:',
        '        extends: [.extra, .hidden]',
        '        variables: { C: "C" }',
      ),
    );
    assert.deepEqual(Object.keys(jobs), ['编译'], 'hidden jobs never run');
    assert.deepEqual(jobs.编译, {
      image: 'node:20',
      variables: { A: 'a', B: 'B', C: 'C' },
      script: 'echo never',
      timeout: '2m',
    });
  });

  it('extends a visible job too, and takes default: under every job', () => {
    const config = ok(
      lines(
        'version: 1',
        'default:',
        '  image: alpine',
        '  timeout: 3m',
        '  variables: { LEVEL: default }',
        'stages:',
        '  - name: a',
        '    jobs:',
        '      first: { script: echo 1, timeout: 1m }',
        '      second: { extends: first, variables: { LEVEL: own } }',
      ),
    );
    const jobs = config.stages[0]!.jobs;
    assert.deepEqual(jobs.first, {
      image: 'alpine',
      timeout: '1m',
      variables: { LEVEL: 'default' },
      script: 'echo 1',
    });
    assert.deepEqual(jobs.second, {
      image: 'alpine',
      timeout: '1m',
      variables: { LEVEL: 'own' },
      script: 'echo 1',
    });
  });

  it('an unknown template is an error at the extends entry, with a did-you-mean', () => {
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: x',
        '.node: { script: echo }',
        'stages:',
        '  - name: 测试',
        '    jobs:',
        '      单元测试:',
        '        extends: [.node, .nod3]',
      ),
      '.slipway.yml',
    );
    assert.equal(config, null);
    const d = diagnostics.find((x) => x.code === 'extends-unknown');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.equal(
      d.message,
      '"单元测试" extends ".nod3", which is not a template or job; did you mean ".node"?',
    );
    assert.deepEqual([d.line, d.col], [8, 26]);
  });

  it('a cycle is an error naming the chain, at the extends that closes it', () => {
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: x',
        '.a:',
        '  extends: .b',
        '.b:',
        '  extends: .a',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      j: { extends: .a, script: x }',
      ),
      '.slipway.yml',
    );
    assert.equal(config, null);
    const d = diagnostics.find((x) => x.code === 'extends-cycle');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(d.message, /\.a → \.b → \.a/);
    assert.deepEqual([d.line, d.col], [6, 12]);
  });

  it('a mistake in a template is reported once, where the template wrote it', () => {
    const { diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: x',
        '.t:',
        '  scirpt: echo',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      a: { extends: .t }',
        '      b: { extends: .t }',
      ),
      '.slipway.yml',
    );
    const unknown = diagnostics.filter((d) => d.code === 'unknown-key');
    assert.equal(unknown.length, 1, JSON.stringify(diagnostics));
    assert.deepEqual([unknown[0]!.line, unknown[0]!.col], [4, 3]);
    assert.match(unknown[0]!.message, /did you mean "script"/);
  });

  it('a stage holding only hidden jobs is not shown', () => {
    const config = ok(
      lines(
        'version: 1',
        'image: x',
        'stages:',
        '  - name: templates',
        '    jobs: { .t: { script: echo t } }',
        '  - name: run',
        '    jobs: { j: { extends: .t } }',
      ),
    );
    assert.deepEqual(
      config.stages.map((s) => s.name),
      ['run'],
    );
  });
});
