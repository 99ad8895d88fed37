/**
 * `variables:` and `$VAR` expansion: the pure function other areas call (cache keys, artifact
 * paths), what a job's image/services/build become when the run starts, the standard variables,
 * and the linter's warnings (unknown names with a did-you-mean, secrets refused).
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` in plain strings is the syntax under test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandVariableMap, expandVariables, variableReferences } from '../../src/domain/expand-variables.js';
import { STANDARD_VARIABLES } from '../../src/domain/standard-variables.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { expandPlan } from '../../src/runtime/expand-job.js';
import { refSlug, standardEnv } from '../../src/runtime/standard-env.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;
const event = {
  kind: 'push' as const,
  ref: { kind: 'branch' as const, name: 'Feature/登录_页' },
  sha: '0123456789abcdef0123456789abcdef01234567',
  author: 'dev',
  message: 'm',
  defaultBranch: 'main',
};
const run = {
  runId: 'run-1',
  runNumber: 7,
  workspacePath: '/ws',
  project: 'shop',
  imageRepository: 'reg.example:5000/shop',
};

describe('expandVariables', () => {
  it('expands $NAME and ${NAME}, keeps unknown names and turns $$ into $', () => {
    const vars = { A: 'x', AB: 'y' };
    assert.equal(expandVariables('$A-${A}B-$AB-$$A-$NOPE-${NOPE}-$', vars), 'x-xB-y-$A-$NOPE-${NOPE}-$');
    assert.deepEqual(
      variableReferences('$A ${B} $$C').map((r) => r.name),
      ['A', 'B'],
    );
  });

  it('expands variables through each other once, and leaves a cycle as written', () => {
    const out = expandVariableMap(
      { TAG: '$CI_COMMIT_SHORT_SHA', IMAGE: '$CI_REGISTRY_IMAGE:$TAG', X: '$Y', Y: '$X' },
      { CI_COMMIT_SHORT_SHA: 'abc1234', CI_REGISTRY_IMAGE: 'reg/shop' },
    );
    assert.equal(out.TAG, 'abc1234');
    assert.equal(out.IMAGE, 'reg/shop:abc1234');
    assert.equal(out.X, '$X');
  });
});

describe('standard variables', () => {
  it('include the GitLab names users rely on, and the linter knows exactly these', () => {
    const config = loadConfig(
      lines('version: 1', 'image: x', 'stages:', '  - name: s', '    jobs: { 构建: { script: x } }'),
      'f',
    ).config!;
    const plan = compilePlan(config, event);
    const env = standardEnv(plan, plan.stages[0]!.jobs[0]!, run);
    assert.equal(env.CI_PROJECT_NAME, 'shop');
    assert.equal(env.CI_PROJECT_PATH, 'shop');
    assert.equal(env.CI_COMMIT_REF_SLUG, 'feature');
    assert.equal(env.CI_REGISTRY_IMAGE, 'reg.example:5000/shop');
    assert.equal(env.CI_REGISTRY, 'reg.example:5000');
    assert.equal(env.CI_PIPELINE_ID, 'run-1');
    assert.equal(env.CI_DEFAULT_BRANCH, 'main');
    assert.equal(env.CI_PIPELINE_SOURCE, 'push');
    assert.equal(env.CI_COMMIT_BRANCH, 'Feature/登录_页');
    assert.match(env.CI_JOB_NAME_SLUG!, /^x-[0-9a-f]{8}$/);
    assert.deepEqual([...Object.keys(env), 'CI_COMMIT_TAG'].sort(), [...STANDARD_VARIABLES].sort());
    assert.equal(refSlug('Release/V1.2_beta--'), 'release-v1-2-beta');
  });
});

describe('variables in a pipeline', () => {
  const text = lines(
    'version: 1',
    'variables: { BASE: "registry.local/node" }',
    'env: { OLD: "1" }',
    'stages:',
    '  - name: 构建',
    '    jobs:',
    '      编译:',
    '        image: $BASE:$NODE_VERSION',
    '        variables: { NODE_VERSION: "20", TAG: "$CI_COMMIT_REF_SLUG-$CI_COMMIT_SHORT_SHA" }',
    '        services: { db: "postgres:${PG}" }',
    '        script: echo $TAG',
    '        secrets: [TOKEN]',
  );

  it('merge into the job environment, with env as an alias', () => {
    const { config, diagnostics } = loadConfig(text, '.slipway.yml');
    assert.ok(config, JSON.stringify(diagnostics));
    const job = compilePlan(config, event).stages[0]!.jobs[0]!;
    assert.deepEqual(job.env, {
      OLD: '1',
      BASE: 'registry.local/node',
      NODE_VERSION: '20',
      TAG: '$CI_COMMIT_REF_SLUG-$CI_COMMIT_SHORT_SHA',
    });
  });

  it('are expanded into image, services and variable values when the run starts; never in the script', () => {
    const { config } = loadConfig(text, '.slipway.yml');
    const plan = expandPlan(compilePlan(config!, event), run);
    const job = plan.stages[0]!.jobs[0]!;
    assert.equal(job.image, 'registry.local/node:20');
    assert.equal(job.services[0]!.image, 'postgres:${PG}');
    assert.equal(job.env.TAG, 'feature-0123456');
    assert.deepEqual(job.script, ['echo $TAG']);
  });

  it('lint: an unknown name is a warning with a did-you-mean; a secret is an error', () => {
    const { diagnostics } = loadConfig(
      text.replace('$BASE:$NODE_VERSION', '$BASE:$NODE_VERSOIN').replace('postgres:${PG}', 'postgres:$TOKEN'),
      '.slipway.yml',
    );
    const unknown = diagnostics.find((d) => d.code === 'unknown-variable');
    assert.ok(unknown, JSON.stringify(diagnostics));
    assert.equal(unknown.severity, 'warning');
    assert.match(
      unknown.message,
      /\$NODE_VERSOIN in the image of job "编译" .*did you mean \$NODE_VERSION\?/,
    );
    assert.deepEqual([unknown.line, unknown.col], [8, 16]);
    const secret = diagnostics.find((d) => d.code === 'secret-expansion');
    assert.ok(secret, JSON.stringify(diagnostics));
    assert.equal(secret.severity, 'error');
    assert.equal(secret.line, 10);
  });
});
