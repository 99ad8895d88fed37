/**
 * `resources:` of a job (issue #9 item 24): parsed with line:col errors, compiled into the
 * plan, resolved against the runner's defaults and maxima (a request above a maximum is
 * limited to it, with a warning in the job's log), and configured on the server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, JobSpec } from '../../src/backends/backend.js';
import { execResourceLimits } from '../../src/cli/exec-limits.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import {
  BUILTIN_RESOURCE_LIMITS,
  parseMemorySize,
  type ResourceLimits,
  resolveResources,
} from '../../src/domain/job-resources.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import { ConfigError, loadServerConfig } from '../../src/server/config.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '69eb5e8c0ffee0000000000000000000deadbeef',
  author: 'sakeven',
  message: 'resources',
};
const LIMITS: ResourceLimits = {
  default: { memoryBytes: 1 * GiB, pids: 512, cpus: null },
  max: { memoryBytes: 2 * GiB, pids: 1024, cpus: 2 },
};

function configWith(resources: string): string {
  return `version: 1\nimage: busybox\nstages:\n  - name: s\n    jobs:\n      j:\n        script: [echo ok]\n        resources: ${resources}\n`;
}

describe('resources: in .slipway.yml', () => {
  it('compiles sizes and counts into the plan', () => {
    const loaded = loadConfig(configWith('{ memory: 512m, pids: 256, cpus: 1.5 }'), '.slipway.yml');
    assert.deepEqual(loaded.diagnostics, []);
    assert.ok(loaded.config);
    const job = compilePlan(loaded.config, event).stages[0]!.jobs[0]!;
    assert.deepEqual(job.resources, { memoryBytes: 512 * MiB, pids: 256, cpus: 1.5 });
  });

  for (const [bad, field] of [
    ['{ memory: lots }', 'memory'],
    ['{ memory: 1m }', 'memory'],
    ['{ pids: 4 }', 'pids'],
    ['{ cpus: 0 }', 'cpus'],
    ['{ disk: 10g }', 'disk'],
  ] as const) {
    it(`refuses ${bad} with a line:col error`, () => {
      const loaded = loadConfig(configWith(bad), '.slipway.yml');
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(loaded.diagnostics));
      assert.equal(errors[0]!.line, 8, JSON.stringify(errors[0]));
      assert.ok(errors[0]!.col > 1);
      assert.match(errors[0]!.path, /resources/, JSON.stringify(errors[0]));
      assert.equal(loaded.config, null);
      assert.match(errors[0]!.message, new RegExp(`"${field}"`));
    });
  }
});

describe('resolveResources', () => {
  it('parses docker-style sizes in binary units', () => {
    assert.equal(parseMemorySize('512m'), 512 * MiB);
    assert.equal(parseMemorySize('1.5G'), 1.5 * GiB);
    assert.equal(parseMemorySize('256MiB'), 256 * MiB);
    assert.equal(parseMemorySize('1048576'), MiB);
    assert.equal(parseMemorySize('lots'), null);
  });

  it('gives the defaults to a job that asks for nothing', () => {
    // No CPU default but a CPU maximum: the maximum, never "unlimited" past it.
    assert.deepEqual(resolveResources(undefined, LIMITS), {
      resources: { ...LIMITS.default, cpus: 2 },
      warnings: [],
    });
    const noCpuMax = { ...LIMITS, max: { ...LIMITS.max, cpus: null } };
    assert.deepEqual(resolveResources(undefined, noCpuMax).resources, LIMITS.default);
  });

  it('grants a request within the maxima', () => {
    const asked = { memoryBytes: 2 * GiB, pids: 1000, cpus: 0.5 };
    assert.deepEqual(resolveResources(asked, LIMITS), { resources: asked, warnings: [] });
  });

  it('limits a request above a maximum to it, with a warning each', () => {
    const { resources, warnings } = resolveResources(
      { memoryBytes: 64 * GiB, pids: 100_000, cpus: 8 },
      LIMITS,
    );
    assert.deepEqual(resources, LIMITS.max);
    assert.deepEqual(warnings[0], {
      what: 'memory',
      asked: '64 GiB',
      max: '2 GiB',
      text: 'resources: memory 64 GiB asked, limited to the maximum allowed here, 2 GiB',
    });
    assert.deepEqual(
      warnings.map((w) => w.text),
      [
        'resources: memory 64 GiB asked, limited to the maximum allowed here, 2 GiB',
        'resources: pids 100000 asked, limited to the maximum allowed here, 1024',
        'resources: cpus 8 asked, limited to the maximum allowed here, 2',
      ],
    );
  });
});

describe('the runtime hands the resolved limits to the backend', () => {
  it('and says in the job log when it limited a request', async () => {
    const loaded = loadConfig(configWith('{ memory: 64g }'), '.slipway.yml');
    assert.ok(loaded.config);
    const specs: JobSpec[] = [];
    const backend: Backend = {
      name: 'recording',
      probe: async () => ({ ok: true }),
      setupRun: async () => {},
      runJob: async (job) => {
        specs.push(job);
        return { kind: 'exited', exitCode: 0 };
      },
      destroyRun: async () => {},
      pruneWorkspaces: async () => [],
    };
    const lines: string[] = [];
    const result = await runPipeline(compilePlan(loaded.config, event), {
      runId: 'resources-1',
      runNumber: 1,
      backend,
      source: { kind: 'empty' },
      resourceLimits: LIMITS,
      onEvent: (e) => {
        if (e.type === 'log') lines.push(e.line.text);
      },
    });
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(specs[0]?.resources, { memoryBytes: 2 * GiB, pids: 512, cpus: 2 });
    assert.ok(
      lines.some((l) => /memory 64 GiB asked, limited to the maximum allowed here, 2 GiB/.test(l)),
      lines.join('\n'),
    );
  });
});

describe('who sets the defaults and maxima', () => {
  it('the server, from SLIPWAY_JOB_* (built-in values when unset)', () => {
    assert.deepEqual(loadServerConfig({}, '/tmp').jobResourceLimits, BUILTIN_RESOURCE_LIMITS);
    const config = loadServerConfig(
      {
        SLIPWAY_JOB_MEMORY: '1g',
        SLIPWAY_JOB_MAX_MEMORY: '2g',
        SLIPWAY_JOB_PIDS: '512',
        SLIPWAY_JOB_MAX_CPUS: '2',
      },
      '/tmp',
    );
    assert.deepEqual(config.jobResourceLimits, {
      default: { memoryBytes: GiB, pids: 512, cpus: null },
      max: { memoryBytes: 2 * GiB, pids: BUILTIN_RESOURCE_LIMITS.max.pids, cpus: 2 },
    });
    assert.throws(
      () => loadServerConfig({ SLIPWAY_JOB_MAX_MEMORY: 'lots' }, '/tmp'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /SLIPWAY_JOB_MAX_MEMORY: "lots" is not a memory size/);
        return true;
      },
    );
  });

  it('slipway exec, from --max-memory/--max-pids/--max-cpus (defaults lowered to them)', () => {
    const limits = execResourceLimits({ 'max-memory': '1g', 'max-pids': '100', 'max-cpus': '1' });
    assert.deepEqual(limits, {
      default: { memoryBytes: GiB, pids: 100, cpus: null },
      max: { memoryBytes: GiB, pids: 100, cpus: 1 },
    });
    assert.throws(() => execResourceLimits({ 'max-memory': '1k' }), /--max-memory expects a size/);
    assert.throws(() => execResourceLimits({ 'max-pids': '2' }), /--max-pids expects a whole number/);
  });
});
