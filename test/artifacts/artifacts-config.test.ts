import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { parseExpiry } from '../../src/pipeline/config/schema-artifacts.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'a'.repeat(40),
  author: 'max',
  message: 'x',
  defaultBranch: 'main',
};

function pipeline(job: string): string {
  return `version: 1\nimage: busybox\nstages:\n  - name: test\n    jobs:\n      unit:\n        script: [echo]\n${job}`;
}

describe('artifacts: and reports: in .slipway.yml', () => {
  test('compile into the plan with defaults', () => {
    const loaded = loadConfig(
      pipeline(
        '        artifacts: { paths: dist/, exclude: ["dist/*.map"], expire_in: 1 week }\n        reports: { junit: [reports/*.xml], coverage: { regex: "Lines: ([0-9.]+)%" } }\n',
      ),
      '.slipway.yml',
    );
    assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
    const job = compilePlan(loaded.config, event).stages[0]?.jobs[0];
    assert.deepEqual(job?.artifacts, {
      paths: ['dist/'],
      exclude: ['dist/*.map'],
      name: null,
      expireInMs: 7 * 86_400_000,
      when: 'on_success',
    });
    assert.deepEqual(job?.reports, { junit: ['reports/*.xml'], coverage: { regex: 'Lines: ([0-9.]+)%' } });
  });

  test('a path leaving the workspace is refused with its line and column', () => {
    const loaded = loadConfig(pipeline('        artifacts: { paths: ["../etc/passwd"] }\n'), '.slipway.yml');
    assert.equal(loaded.config, null);
    const d = loaded.diagnostics[0];
    assert.match(d?.message ?? '', /must not contain "\.\."/);
    assert.equal(d?.line, 8);
  });

  test('absolute paths, bad regexes, bad expiry and unknown keys are refused', () => {
    for (const [yaml, why] of [
      ['        artifacts: { paths: [/etc] }\n', /relative to the workspace/],
      ['        reports: { coverage: { regex: "(" } }\n', /valid regular expression/],
      ['        artifacts: { paths: [a], expire_in: soon }\n', /like 30m/],
      ['        artifacts: { paths: [a], when: sometimes }\n', /on_success|on_failure|always/],
      ['        artifacts: { pathz: [a] }\n', /pathz/],
    ] as const) {
      const loaded = loadConfig(pipeline(yaml), '.slipway.yml');
      assert.equal(loaded.config, null, yaml);
      assert.match(loaded.diagnostics.map((d) => d.message).join('\n'), why, yaml);
    }
  });

  test('expiry words', () => {
    assert.equal(parseExpiry('never'), 'never');
    assert.equal(parseExpiry('30 days'), 30 * 86_400_000);
    assert.equal(parseExpiry('2w'), 14 * 86_400_000);
    assert.equal(parseExpiry('12h'), 12 * 3_600_000);
    assert.equal(parseExpiry('3 hours'), 3 * 3_600_000);
    assert.equal(parseExpiry('0d'), null);
    assert.equal(parseExpiry('soon'), null);
  });
});
