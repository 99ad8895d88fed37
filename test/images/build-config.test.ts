/** `.slipway.yml` build/deploy jobs: their diagnostics, and the PlanBuild they compile to. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

/** No top-level image: build jobs do not need one. Extra lines go under job `img` (line 6 on). */
const config = (...extra: string[]) =>
  lines('version: 1', 'stages:', '  - name: build', '    jobs:', '      img:', ...extra);

function codes(text: string): string[] {
  return loadConfig(text, '.slipway.yml').diagnostics.map((d) => d.code);
}

function diagnostic(text: string, code: string) {
  const found = loadConfig(text, '.slipway.yml').diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(loadConfig(text, 'x').diagnostics)}`);
  return found[0] as NonNullable<(typeof found)[0]>;
}

const event = (branch: string, defaultBranch?: string): PipelineEvent => ({
  kind: 'push',
  ref: { kind: 'branch', name: branch },
  sha: '69eb5e8a1b2c3d4e5f60718293a4b5c6d7e8f901',
  author: 'a',
  message: 'm',
  ...(defaultBranch ? { defaultBranch } : {}),
});

describe('build job config', () => {
  it('a build job needs no image and no script', () => {
    assert.deepEqual(codes(config('        build: {}')), []);
    assert.deepEqual(
      codes(config('        build: { dockerfile: docker/Dockerfile, tags: [v1, latest] }')),
      [],
    );
  });

  it('job-kind when a job has both script and build', () => {
    const d = diagnostic(
      config('        image: busybox', '        script: make', '        build: {}'),
      'job-kind',
    );
    assert.match(
      d.message,
      /job "img" has script and build; a job is exactly one of script, build or deploy/,
    );
    assert.equal(d.path, 'stages.0.jobs.img');
    assert.equal(d.line, 5);
  });

  it('invalid-tag names the tag and the field', () => {
    const d = diagnostic(config('        build:', '          tags: [ok, "-bad"]'), 'invalid-tag');
    assert.match(d.message, /tag "-bad" is not a valid image tag .* in build.tags of job "img"/);
    assert.equal(d.path, 'stages.0.jobs.img.build.tags.1');
    assert.equal(codes(config('        build:', '          tags: ["a/b"]')).join(), 'invalid-tag');
  });

  it('invalid-image and invalid-registry', () => {
    const img = diagnostic(config('        build: { image: "Team/API" }'), 'invalid-image');
    assert.match(img.message, /repository "Team\/API" is not a valid image name.*build.image of job "img"/);
    const reg = diagnostic(config('        build: { registry: "https://r.example" }'), 'invalid-registry');
    assert.match(
      reg.message,
      /registry "https:\/\/r.example" in build.registry of job "img" is not a host\[:port\]/,
    );
    assert.deepEqual(
      codes(config('        build: { image: "127.0.0.1:5000/team/api", registry: "r.example:5000" }')),
      [],
    );
  });

  it('deploy.from must name a build job', () => {
    const text = lines(
      'version: 1',
      'stages:',
      '  - name: build',
      '    jobs:',
      '      api-image: { build: {} }',
      '  - name: ship',
      '    jobs:',
      '      ship: { deploy: { app: api, env: prod, from: api-imag } }',
      '      ok: { deploy: { app: api, env: prod } }',
    );
    const d = diagnostic(text, 'deploy-from');
    assert.match(d.message, /names "api-imag", which is not a build job \(did you mean "api-image"\?/);
    assert.equal(d.path, 'stages.1.jobs.ship.deploy.from');
  });

  it('deploy without from is ambiguous with two build jobs, impossible with none', () => {
    const none = lines(
      'version: 1',
      'stages:',
      '  - name: s',
      '    jobs:',
      '      d: { deploy: { app: a, env: e } }',
    );
    assert.match(diagnostic(none, 'deploy-from').message, /no build job; set deploy.image/);
    const fixed = lines(
      'version: 1',
      'stages:',
      '  - name: s',
      '    jobs:',
      '      d: { deploy: { app: a, env: e, image: "r/x:1" } }',
    );
    assert.deepEqual(codes(fixed), []);
  });
});

describe('compiled build jobs', () => {
  const compile = (text: string, ev: PipelineEvent) => {
    const loaded = loadConfig(text, 'x.yml');
    assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
    return compilePlan(loaded.config, ev).stages[0]?.jobs[0];
  };

  it('defaults: Dockerfile in the context, cache on, record-name tag; latest on the default branch', () => {
    const onMain = compile(config('        build: { context: app }'), event('main', 'main'));
    assert.deepEqual(onMain?.build, {
      dockerfile: 'app/Dockerfile',
      context: 'app',
      target: null,
      args: {},
      cache: true,
      repository: null,
      tags: ['main-69eb5e8', 'latest'],
      push: null,
      registry: null,
      secrets: [],
    });
    assert.deepEqual(onMain?.script, []);
    const onFeature = compile(config('        build: {}'), event('feature/x', 'main'));
    assert.deepEqual(onFeature?.build?.tags, ['feature-x-69eb5e8']);
    assert.equal(onFeature?.build?.dockerfile, 'Dockerfile');
  });

  it('configured values pass through, args as strings', () => {
    const job = compile(
      config(
        '        build:',
        '          target: ship',
        '          args: { N: 3, DEBUG: false }',
        '          tags: [v2]',
        '          push: false',
        '          cache: false',
        '          secrets: [NPM_TOKEN]',
      ),
      event('main', 'main'),
    );
    assert.equal(job?.build?.target, 'ship');
    assert.deepEqual(job?.build?.args, { N: '3', DEBUG: 'false' });
    assert.deepEqual(job?.build?.tags, ['v2']);
    assert.equal(job?.build?.push, false);
    assert.equal(job?.build?.cache, false);
    assert.deepEqual(job?.build?.secrets, ['NPM_TOKEN']);
  });

  it('deploy jobs compile to PlanDeploy', () => {
    const text = lines(
      'version: 1',
      'stages:',
      '  - name: s',
      '    jobs:',
      '      d: { deploy: { app: a, env: e, image: "r/x:1" } }',
    );
    assert.deepEqual(compile(text, event('main'))?.deploy, {
      app: 'a',
      env: 'e',
      from: null,
      image: 'r/x:1',
    });
  });
});
