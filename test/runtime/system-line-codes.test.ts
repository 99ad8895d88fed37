/**
 * Slipway's own summary lines carry a code and params beside their English text (issue #14):
 * the line writer keeps them (masked like the text), and the runtime's retry, after_script and
 * after-job lines reach the log coded, on the fake backend.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import type { LogLine } from '../../src/domain/log-line.js';
import { isSystemLineCode, writeSystemLine } from '../../src/domain/system-line-codes.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { LineWriter } from '../../src/runtime/line-writer.js';
import { type RunOptions, runPipeline } from '../../src/runtime/run-pipeline.js';
import { MASK, SecretMasker } from '../../src/runtime/secret-masker.js';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '69eb5e8c0ffee0000000000000000000deadbeef',
  author: 'dev',
  message: 'coded lines',
};

async function run(
  yaml: string,
  extra: Partial<RunOptions> = {},
  on: PipelineEvent = event,
): Promise<LogLine[]> {
  const loaded = loadConfig(yaml, '.slipway.yml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const lines: LogLine[] = [];
  await runPipeline(compilePlan(loaded.config, on), {
    runId: `syslog-${Math.random().toString(36).slice(2)}`,
    runNumber: 1,
    backend: new FakeBackend(),
    source: { kind: 'empty' },
    graceMs: 10,
    onEvent: (e) => {
      if (e.type === 'log') lines.push(e.line);
    },
    ...extra,
  });
  return lines;
}

const coded = (lines: LogLine[]) =>
  lines.filter((l) => l.code !== undefined).map((l) => ({ code: l.code, params: l.params, text: l.text }));

test('the line writer emits a coded system line, masking text and text params', () => {
  const lines: LogLine[] = [];
  const writer = new LineWriter({ masker: new SecretMasker(['s3cr3t-value']), onLine: (l) => lines.push(l) });
  writer.write('stdout', Buffer.from('before\n'));
  writer.systemCode({
    code: 'cache.saved',
    params: { key: 'deps-s3cr3t-value', bytes: 2048, ms: 12 },
    text: 'cache: saved key deps-s3cr3t-value (2.0 KB, 12 ms)',
  });
  assert.deepEqual(lines[1], {
    n: 2,
    t: lines[1]?.t,
    stream: 'system',
    text: `cache: saved key deps-${MASK} (2.0 KB, 12 ms)`,
    code: 'cache.saved',
    params: { key: `deps-${MASK}`, bytes: 2048, ms: 12 },
  });
  assert.equal(lines[0]?.code, undefined, 'job output carries no code');
});

test('a sink without systemCode gets the English text', () => {
  const texts: string[] = [];
  writeSystemLine({ system: (text) => texts.push(text) }, 'image.pushing', { image: 'a:1' }, 'pushing a:1');
  assert.deepEqual(texts, ['pushing a:1']);
  assert.equal(isSystemLineCode('image.pushing'), true);
  assert.equal(isSystemLineCode('image.nope'), false);
});

test('retry and after_script lines are coded, with the English text beside the code', async () => {
  const lines = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      flaky: { script: ['exit 3'], retry: { max: 1, exit_codes: [3] }, after_script: ['exit 4'] }
`);
  const got = coded(lines);
  assert.deepEqual(
    got.filter((l) => l.code === 'retry.exit_code'),
    [
      {
        code: 'retry.exit_code',
        params: { attempt: 1, max: 2, next: 2, code: 3 },
        text: '[slipway] attempt 1 of 2 failed (exit code 3); retrying: attempt 2',
      },
    ],
  );
  assert.deepEqual(
    got.filter((l) => l.code?.startsWith('after_script.')).map((l) => [l.code, l.params]),
    [
      ['after_script.start', {}],
      ['after_script.exit', { code: 4 }],
      ['after_script.start', {}],
      ['after_script.exit', { code: 4 }],
    ],
  );
  assert.ok(got.every((l) => isSystemLineCode(l.code as string)));
});

test('a retry after another failure names the reason code', async () => {
  const lines = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      slow: { script: ['sleep 5'], timeout: 1s, retry: { max: 1, when: [timeout] } }
`);
  const retry = coded(lines).find((l) => l.code === 'retry.failure');
  assert.deepEqual(retry?.params, { attempt: 1, max: 2, next: 2, reason: 'timeout' });
});

test('lines written after the job (the agent uploads, the test summary) keep their code', async () => {
  const lines = await run(
    `version: 1
image: alpine
stages:
  - name: s
    jobs:
      unit: { script: [echo ok], artifacts: { paths: [dist/] } }
`,
    {
      afterJob: async (_job, end, io) => {
        writeSystemLine(
          io,
          'tests.summary',
          { passed: 3, failed: 1, skipped: 0 },
          '[slipway] tests: 3 passed, 1 failed, 0 skipped',
        );
        return end;
      },
    },
  );
  assert.deepEqual(coded(lines), [
    {
      code: 'tests.summary',
      params: { passed: 3, failed: 1, skipped: 0 },
      text: '[slipway] tests: 3 passed, 1 failed, 0 skipped',
    },
  ]);
});

test('the changes note of a manual run is coded: what matched since which run, or why nothing is compared', async () => {
  const yaml = `version: 1
image: alpine
stages:
  - name: s
    jobs:
      docs: { script: [echo ok], changes: ['**/*.md'] }
`;
  const manual = { ...event, kind: 'manual' as const };
  const files = ['a.md', 'b.md', 'c.md', 'd.md', 'e.md', 'f.md', 'g.md', 'src/x.ts'];
  const matched = coded(
    await run(
      yaml,
      {},
      { ...manual, changesBase: { sha: 'abcdef0123456789', runNumber: 7 }, changedFiles: files },
    ),
  );
  assert.deepEqual(matched, [
    {
      code: 'changes.matched',
      params: {
        globs: '**/*.md',
        files: 'a.md, b.md, c.md, d.md, e.md',
        more: 2,
        baseRun: 7,
        baseSha: 'abcdef0',
      },
      text: '[slipway] changes: **/*.md matched a.md, b.md, c.md, d.md, e.md and 2 more (changed since run #7, abcdef0)',
    },
  ]);
  const noBase = coded(await run(yaml, {}, { ...manual, changesBase: null }));
  assert.deepEqual(
    noBase.map((l) => [l.code, l.params]),
    [['changes.no_base', { globs: '**/*.md', branch: 'main' }]],
  );
});
