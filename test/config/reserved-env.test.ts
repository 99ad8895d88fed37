/**
 * Reserved variable names (domain/reserved-env.ts): refused by `slipway lint` and the server's
 * config check alike, wherever a config sets variables, and by the manual-run API; the runtime
 * keeps Slipway's standard variables even if a stored plan tries to override them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { lintCommand } from '../../src/cli/lint.js';
import { reservedBuildArgReason, reservedEnvReason } from '../../src/domain/reserved-env.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import { configSources, insertProject, post, push, useSources } from '../runs/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

/** Every place a config sets variables, each with a reserved name (line numbers matter below). */
const HOSTILE = lines(
  'version: 1',
  'image: busybox',
  'env:',
  '  CI_COMMIT_BRANCH: main', // 4
  'stages:',
  '  - name: build',
  '    jobs:',
  '      t:',
  '        script: echo',
  '        env:',
  '          LD_PRELOAD: /tmp/x.so', // 11
  '          PATH: /opt/bin:/usr/bin',
  '          SLIPWAY_BRANCH: main', // 13
  '        secrets: [BASH_ENV]', // 14
  '        services:',
  '          db: { image: postgres, env: { LD_LIBRARY_PATH: /x } }', // 16
  '      img:',
  '        build: { args: { BUILDKIT_SYNTAX: evil/frontend, VERSION: "1" } }', // 18
);

describe('reserved variable names', () => {
  test('the list: standard prefixes, loader and shell-startup names; PATH and ordinary names are free', () => {
    for (const name of [
      'CI',
      'SLIPWAY',
      'CI_JOB_NAME',
      'SLIPWAY_RUN_ID',
      'SLIPWAY_NEW_THING',
      'LD_PRELOAD',
    ]) {
      assert.notEqual(reservedEnvReason(name), null, name);
    }
    for (const name of ['LD_AUDIT', 'LD_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'BASH_ENV', 'ENV', 'IFS']) {
      assert.notEqual(reservedEnvReason(name), null, name);
    }
    for (const name of ['PATH', 'HOME', 'NODE_ENV', 'CIRCLE', 'SLIPWAYX', 'ci_token', 'LDFLAGS']) {
      assert.equal(reservedEnvReason(name), null, name);
    }
    assert.notEqual(reservedBuildArgReason('BUILDKIT_SYNTAX'), null);
    assert.equal(reservedEnvReason('BUILDKIT_SYNTAX'), null, 'only a build argument is read by BuildKit');
  });

  test('every place a config sets variables gets a reserved-env error at the name', () => {
    const { config, diagnostics } = loadConfig(HOSTILE, '.slipway.yml');
    assert.equal(config, null);
    const reserved = diagnostics.filter((d) => d.code === 'reserved-env');
    assert.deepEqual(
      reserved.map((d) => [d.line, d.col, d.path]),
      [
        [4, 3, 'env.CI_COMMIT_BRANCH'],
        [11, 11, 'stages.0.jobs.t.env.LD_PRELOAD'],
        [13, 11, 'stages.0.jobs.t.env.SLIPWAY_BRANCH'],
        [14, 19, 'stages.0.jobs.t.secrets.0'],
        [16, 41, 'stages.0.jobs.t.services.db.env.LD_LIBRARY_PATH'],
        [18, 26, 'stages.0.jobs.img.build.args.BUILDKIT_SYNTAX'],
      ],
    );
    assert.match(reserved[1]!.message, /job "t" may not set LD_PRELOAD: .*dynamic loader/);
    assert.ok(reserved.every((d) => d.severity === 'error'));
  });

  test('slipway lint exits 1 on them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-reserved-'));
    try {
      writeFileSync(join(dir, '.slipway.yml'), HOSTILE);
      let stdout = '';
      const code = await lintCommand(['--json'], {
        stdout: (s) => {
          stdout += s;
        },
        stderr: () => {},
        cwd: dir,
      });
      assert.equal(code, 1);
      const out = JSON.parse(stdout) as { diagnostics: { code: string }[] };
      assert.equal(out.diagnostics.filter((d) => d.code === 'reserved-env').length, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the runtime keeps the standard variables even when a stored plan sets them', async () => {
    const loaded = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'stages:',
        '  - name: a',
        '    jobs:',
        '      t: { script: [printenv SLIPWAY_BRANCH] }',
      ),
      'x.yml',
    );
    assert.ok(loaded.config);
    const plan = compilePlan(loaded.config, {
      kind: 'push',
      ref: { kind: 'branch', name: 'feature/x' },
      sha: 'a'.repeat(40),
      author: 'a',
      message: 'm',
    });
    plan.stages[0]!.jobs[0]!.env = { SLIPWAY_BRANCH: 'main' };
    const logs: string[] = [];
    await runPipeline(plan, {
      runId: 'reserved-1',
      runNumber: 1,
      backend: new FakeBackend(),
      source: { kind: 'empty' },
      onEvent: (e) => {
        if (e.type === 'log') logs.push(e.line.text);
      },
    });
    assert.ok(logs.includes('feature/x'), logs.join('|'));
    assert.ok(!logs.includes('main'), logs.join('|'));
  });
});

describe('reserved variable names on the server', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('a pushed config setting them fails its run with the same diagnostics', async () => {
    const sources = configSources(HOSTILE);
    const runs = useSources(t, sources);
    const project = await insertProject(t);
    const run = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
    assert.equal(run.status, 'failed');
    assert.equal(run.failure_reason, 'config_error');
    const diagnostics = JSON.parse(run.diagnostics) as { code: string; line: number }[];
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'reserved-env').map((d) => d.line),
      [4, 11, 13, 14, 16, 18],
    );
  });

  test('a manual run with a reserved variable is 400 naming it', async () => {
    useSources(t, configSources());
    await insertProject(t, 'reserved');
    const res = await t.api('/api/projects/reserved/runs', post({ variables: { SLIPWAY_BRANCH: 'main' } }));
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /SLIPWAY_BRANCH is reserved/);
  });
});
