/**
 * before_script / after_script, `when:`, `allow_failure: {exit_codes}` and `retry:` driven
 * through config → plan → runtime on the fake backend (the Docker backend's behaviour for the
 * same keys is covered in test/backends/docker-flow-keys.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import type { JobResult, RunEvent } from '../../src/runtime/run-result.js';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '69eb5e8c0ffee0000000000000000000deadbeef',
  author: 'dev',
  message: 'flow keys',
};

async function run(yaml: string, opts: { cancelAfterMs?: number } = {}) {
  const loaded = loadConfig(yaml, '.slipway.yml');
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(loaded.config);
  const plan = compilePlan(loaded.config, event);
  const events: RunEvent[] = [];
  const controller = new AbortController();
  if (opts.cancelAfterMs !== undefined) setTimeout(() => controller.abort(), opts.cancelAfterMs);
  const result = await runPipeline(plan, {
    runId: `flow-${Math.random().toString(36).slice(2)}`,
    runNumber: 1,
    backend: new FakeBackend(),
    source: { kind: 'empty' },
    graceMs: 10,
    signal: controller.signal,
    onEvent: (e) => events.push(e),
  });
  const log = (job: string) => events.flatMap((e) => (e.type === 'log' && e.job === job ? [e.line] : []));
  const job = (name: string) => result.jobs.find((j) => j.name === name) as JobResult;
  return { plan, result, events, log, text: (name: string) => log(name).map((l) => l.text), job };
}

test('before_script runs before script in the same job; its failure fails the job and script never runs', async () => {
  const ok = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { before_script: [echo before], script: [echo main] }
`);
  assert.equal(ok.result.status, 'succeeded');
  const text = ok.text('a');
  assert.ok(text.indexOf('before') < text.indexOf('main'), text.join('\n'));
  const bad = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { before_script: ['exit 3'], script: [echo main] }
`);
  assert.equal(bad.job('a').status, 'failed');
  assert.equal(bad.job('a').exitCode, 3);
  assert.ok(!bad.text('a').includes('main'));
});

test('after_script runs after a failed script, in the log, and cannot change the result', async () => {
  const failed = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: ['exit 4'], after_script: [echo cleaning, printenv CI_JOB_STATUS, 'exit 9'] }
`);
  const a = failed.job('a');
  assert.equal(a.status, 'failed');
  assert.equal(a.exitCode, 4, 'the script decides, not after_script');
  const text = failed.text('a');
  assert.ok(text.includes('cleaning'), text.join('\n'));
  assert.ok(text.includes('failed'), 'CI_JOB_STATUS says how the script ended');
  assert.ok(text.some((l) => l.includes('after_script exited with code 9')));

  const succeeded = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: [echo ok], after_script: ['exit 1'] }
`);
  assert.equal(succeeded.result.status, 'succeeded');
});

test('after_script runs after a timeout, under its own timeout, and not after a cancel', async () => {
  const timedOut = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: ['sleep 30'], timeout: 200ms, after_script: [echo after, 'sleep 30'], after_script_timeout: 200ms }
`);
  const a = timedOut.job('a');
  assert.equal(a.status, 'failed');
  assert.equal(a.failure?.reason, 'timeout');
  const text = timedOut.text('a');
  assert.ok(text.includes('after'), text.join('\n'));
  assert.ok(text.some((l) => l.includes('after_script timed out')));

  const canceled = await run(
    `version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: ['sleep 30'], after_script: [echo after] }
`,
    { cancelAfterMs: 100 },
  );
  assert.equal(canceled.job('a').status, 'canceled');
  assert.ok(!canceled.text('a').includes('after'));
});

const whenPipeline = (firstScript: string) => `version: 1
image: alpine
stages:
  - name: build
    jobs:
      compile: { script: ['${firstScript}'] }
  - name: test
    jobs:
      unit: { script: [echo unit] }
  - name: report
    jobs:
      on-fail: { when: on_failure, script: [echo notify] }
      always: { when: always, script: [echo always] }
      never: { when: never, script: [echo never] }
  - name: after
    jobs:
      last: { script: [echo last] }
`;

test('when: on_failure runs only after a failure, always runs either way, never never runs', async () => {
  const good = await run(whenPipeline('exit 0'));
  assert.equal(good.result.status, 'succeeded');
  assert.equal(good.job('on-fail').status, 'skipped');
  assert.equal(good.job('on-fail').skip?.code, 'when_unmet');
  assert.equal(good.job('always').status, 'succeeded');
  assert.equal(good.job('never').skip?.code, 'when_never');
  assert.equal(good.job('last').status, 'succeeded', 'skipped on_failure/never jobs hold nothing back');

  const bad = await run(whenPipeline('exit 1'));
  assert.equal(bad.result.status, 'failed', 'an on_failure job that succeeds does not mend the run');
  assert.equal(bad.job('unit').skip?.code, 'upstream_failed');
  assert.equal(bad.job('on-fail').status, 'succeeded');
  assert.equal(bad.job('always').status, 'succeeded');
  assert.equal(bad.job('never').status, 'skipped');
  assert.equal(bad.job('last').skip?.code, 'upstream_failed');
});

test('allow_failure: {exit_codes} allows only those codes', async () => {
  const pipeline = (code: number) => `version: 1
image: alpine
stages:
  - name: s
    jobs:
      lint: { script: ['exit ${code}'], allow_failure: { exit_codes: [137, 42] } }
  - name: t
    jobs:
      next: { script: [echo next] }
`;
  const allowed = await run(pipeline(42));
  assert.equal(allowed.job('lint').status, 'failed');
  assert.equal(allowed.job('lint').allowFailure, true);
  assert.equal(allowed.job('next').status, 'succeeded');
  assert.equal(allowed.result.status, 'succeeded');

  const refused = await run(pipeline(1));
  assert.equal(refused.job('lint').allowFailure, false);
  assert.equal(refused.job('next').skip?.code, 'upstream_failed');
  assert.equal(refused.result.status, 'failed');
});

test('retry: a failed attempt runs again; every attempt is in the result and the log', async () => {
  // The first attempt fails (no flag yet); its after_script sets the flag, so the second passes.
  const r = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      flaky: { script: [echo try, cat flag], after_script: [touch flag], retry: 2 }
`);
  const flaky = r.job('flaky');
  assert.equal(flaky.status, 'succeeded');
  assert.equal(flaky.attempt, 2);
  assert.equal(flaky.attempts?.length, 1);
  assert.equal(flaky.attempts?.[0]?.failure?.reason, 'exit_code');
  assert.equal(flaky.attempts?.[0]?.exitCode, 1);
  const lines = r.log('flaky');
  assert.equal(lines.filter((l) => l.text === 'try').length, 2, 'both attempts are in the log');
  assert.ok(lines.some((l) => l.text.includes('attempt 1 of 3 failed (exit code 1); retrying: attempt 2')));
  assert.deepEqual(
    lines.map((l) => l.n),
    lines.map((_, i) => i + 1),
    'line numbers go on across attempts (nothing is dropped as a repeat)',
  );
  // The live record learns of the retry before the job ends.
  assert.ok(
    r.events.some(
      (e) => e.type === 'job' && e.job.name === 'flaky' && e.job.status === 'running' && e.job.attempt === 2,
    ),
  );
});

test('retry stops after max, and retries only the exit codes and reasons it names', async () => {
  const exhausted = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: ['exit 2'], retry: { max: 3 } }
`);
  assert.equal(exhausted.job('a').status, 'failed');
  assert.equal(exhausted.job('a').attempt, 4);
  assert.equal(exhausted.job('a').attempts?.length, 3);

  const otherCode = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: ['exit 2'], retry: { max: 2, exit_codes: [137] } }
`);
  assert.equal(otherCode.job('a').attempt, undefined, 'exit code 2 is not retried');

  const onlyTimeouts = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: ['exit 1'], retry: { max: 2, when: [timeout, agent_lost] } }
`);
  assert.equal(onlyTimeouts.job('a').attempt, undefined);
});

test('flow keys compile to plan fields only when set (old plans read the same)', async () => {
  const { plan } = await run(`version: 1
image: alpine
stages:
  - name: s
    jobs:
      plain: { script: [echo hi] }
      keyed:
        script: [echo hi]
        retry: { max: 1, when: runner_system_failure }
        allow_failure: { exit_codes: 3 }
        when: always
        after_script: [echo bye]
        after_script_timeout: 30s
`);
  const [plain, keyed] = plan.stages[0]?.jobs ?? [];
  for (const key of ['retry', 'when', 'beforeScript', 'afterScript', 'allowFailureExitCodes']) {
    assert.ok(!(key in (plain ?? {})), key);
  }
  assert.deepEqual(keyed?.retry, { max: 1, reasons: ['agent_lost', 'backend_error'], exitCodes: [] });
  assert.deepEqual(keyed?.allowFailureExitCodes, [3]);
  assert.equal(keyed?.afterScriptTimeoutMs, 30_000);
  assert.equal(keyed?.when, 'always');
});

test('bad flow keys are errors with a place', () => {
  const loaded = loadConfig(
    `version: 1
image: alpine
stages:
  - name: s
    jobs:
      a: { script: [x], retry: 4, when: sometimes, after_script_timeout: soon }
`,
    '.slipway.yml',
  );
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.ok(errors.length >= 3, JSON.stringify(errors));
  for (const e of errors) assert.equal(e.line, 6);
});
