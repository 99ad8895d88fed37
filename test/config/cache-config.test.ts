/**
 * `cache:` from the file to what a backend receives: validation with positions, the plan, key
 * expansion, path resolution, and the write permissions of policies and untrusted runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import { expandVariables } from '../../src/domain/expand-variables.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import type { PlanJob } from '../../src/pipeline/plan/plan.js';
import { resolveJobCaches } from '../../src/runtime/cache-specs.js';

const EVENT: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'a'.repeat(40),
  author: 't',
  message: 'm',
};

function jobWith(cache: string): {
  job?: PlanJob;
  diagnostics: ReturnType<typeof loadConfig>['diagnostics'];
} {
  const yaml = `version: 1\nimage: node\nstages:\n  - name: s\n    jobs:\n      j:\n        script: [npm ci]\n        cache: ${cache}\n`;
  const loaded = loadConfig(yaml, '.slipway.yml');
  if (!loaded.config) return { diagnostics: loaded.diagnostics };
  return { job: compilePlan(loaded.config, EVENT).stages[0]?.jobs[0], diagnostics: loaded.diagnostics };
}

const SCOPE = { namespace: 'web', trusted: true, workspacePath: '/workspace' };

describe('cache: in .slipway.yml', () => {
  test('one entry or a list compile to plan caches with their defaults', () => {
    const one = jobWith('{ key: { files: [package-lock.json], prefix: deps }, paths: [node_modules] }');
    assert.deepEqual(one.job?.caches, [
      {
        key: { kind: 'files', files: ['package-lock.json'], prefix: 'deps' },
        paths: ['node_modules'],
        policy: 'pull-push',
        fallbackKeys: [],
        when: 'on_success',
      },
    ]);
    const list = jobWith(
      '[{ paths: [a] }, { key: k, paths: [b], policy: pull, when: always, fallback_keys: [x] }]',
    );
    assert.deepEqual(
      list.job?.caches?.map((c) => [c.key, c.policy, c.when, c.fallbackKeys]),
      [
        [{ kind: 'text', template: 'default' }, 'pull-push', 'on_success', []],
        [{ kind: 'text', template: 'k' }, 'pull', 'always', ['x']],
      ],
    );
  });

  test('mistakes are reported at their place in the file', () => {
    const policy = jobWith('{ key: k, paths: [a], policy: sometimes }');
    assert.equal(policy.job, undefined);
    const d = policy.diagnostics.find((x) => x.severity === 'error');
    assert.equal(d?.line, 8, JSON.stringify(policy.diagnostics));
    assert.match(d?.message ?? '', /pull-push|pull|push/);
    const up = jobWith('{ key: k, paths: [../outside] }');
    assert.match(up.diagnostics.map((x) => x.message).join(' '), /must not contain "\.\."/);
    const noPaths = jobWith('{ key: k }');
    assert.equal(noPaths.job, undefined);
    const unknown = jobWith('{ key: k, paths: [a], untracked: true }');
    assert.equal(unknown.job, undefined);
  });
});

describe('resolving caches for a job', () => {
  const job = (caches: PlanJob['caches']): PlanJob => ({ name: 'j', caches }) as unknown as PlanJob;
  const base = { policy: 'pull-push' as const, when: 'on_success' as const, fallbackKeys: [] };

  test('keys expand variables; paths become absolute (workspace, absolute, ~ under HOME)', () => {
    const resolved = resolveJobCaches(
      job([
        {
          ...base,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not JavaScript's
          key: { kind: 'text', template: 'deps-${CI_COMMIT_REF_NAME}-$NOPE' },
          fallbackKeys: ['deps-$DEFAULT', '$NOPE'],
          paths: ['node_modules/', '/root/.npm', '~/.cache/pip'],
        },
      ]),
      { CI_COMMIT_REF_NAME: 'feat', DEFAULT: 'main', HOME: '/home/ci' },
      SCOPE,
    );
    assert.ok(resolved.ok);
    assert.deepEqual(resolved.caches[0], {
      namespace: 'web',
      // A name no variable has stays as written (the linter warns about it), like in `image:`.
      key: { kind: 'text', text: 'deps-feat-$NOPE' },
      fallbackKeys: ['deps-main', '$NOPE'],
      paths: ['/workspace/node_modules', '/root/.npm', '/home/ci/.cache/pip'],
      restore: true,
      save: 'on_success',
      noSaveReason: null,
    });
    assert.equal(expandVariables('a$$b-$X', { X: 'x' }), 'a$b-x');
  });

  test('untrusted runs never save, whatever the policy; pull never saves; push never restores', () => {
    const entry = (policy: 'pull-push' | 'pull' | 'push') => ({
      ...base,
      policy,
      when: 'always' as const,
      key: { kind: 'text' as const, template: 'k' },
      paths: ['a'],
    });
    const untrusted = resolveJobCaches(
      job([entry('pull-push'), entry('push')].map((e, i) => ({ ...e, paths: [`p${i}`] }))),
      {},
      {
        ...SCOPE,
        trusted: false,
      },
    );
    assert.ok(untrusted.ok);
    assert.deepEqual(
      untrusted.caches.map((c) => [c.restore, c.save, c.noSaveReason]),
      [
        [true, 'never', 'untrusted runs read caches but never write them'],
        [false, 'never', 'untrusted runs read caches but never write them'],
      ],
    );
    const pull = resolveJobCaches(job([entry('pull')]), {}, SCOPE);
    assert.ok(pull.ok);
    assert.equal(pull.caches[0]?.save, 'never');
    const push = resolveJobCaches(job([entry('push')]), {}, SCOPE);
    assert.ok(push.ok);
    assert.deepEqual([push.caches[0]?.restore, push.caches[0]?.save], [false, 'always']);
  });

  test('a path over the workspace, one kept twice, or a key that expands to nothing is refused', () => {
    const entry = (paths: string[], template = 'k') => ({
      ...base,
      key: { kind: 'text' as const, template },
      paths,
    });
    const over = resolveJobCaches(job([entry(['/workspace'])]), {}, SCOPE);
    assert.ok(!over.ok && /would hide the workspace/.test(over.message));
    const parent = resolveJobCaches(job([entry(['/'])]), {}, SCOPE);
    assert.ok(!parent.ok);
    const twice = resolveJobCaches(job([entry(['a']), entry(['./a'], 'other')]), {}, SCOPE);
    assert.ok(!twice.ok && /already kept by cache 1/.test(twice.message), JSON.stringify(twice));
    const empty = resolveJobCaches(job([entry(['a'], '$EMPTY')]), { EMPTY: '' }, SCOPE);
    assert.ok(!empty.ok && /is empty once its variables are expanded/.test(empty.message));
  });
});
