/**
 * Issue #14 on the real Docker engine: the cache lines a job's log shows (missed, saved, restored)
 * carry their code and params beside the English text, so the web UI can translate them. The
 * project namespace is unique to this file and its caches are removed at the end.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { listGenerations, removeGeneration } from '../../src/backends/docker/cache-volumes.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { LogLine } from '../../src/domain/log-line.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const namespace = `syslog-cache-${randomUUID().slice(0, 8)}`;
let busybox = '';

before(async () => {
  busybox = await ensureBusyboxImage(docker);
});

after(async () => {
  for (const generation of await listGenerations(docker, undefined, { namespace })) {
    await removeGeneration(docker, generation);
  }
});

async function run(): Promise<LogLine[]> {
  const loaded = loadConfig(
    `version: 1
image: ${busybox}
stages:
  - name: s
    jobs:
      fill:
        script: ['mkdir -p deps && echo data > deps/file']
        cache: { key: coded, paths: [deps] }
`,
    'test.yml',
  );
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const lines: LogLine[] = [];
  const result = await runPipeline(
    compilePlan(loaded.config, {
      kind: 'push',
      ref: { kind: 'branch', name: 'main' },
      sha: 'd'.repeat(40),
      author: 't',
      message: 'm',
    }),
    {
      runId: `syslog-${randomUUID().slice(0, 8)}`,
      runNumber: 1,
      backend: new DockerBackend({ docker }),
      source: { kind: 'empty' },
      project: namespace,
      onEvent: (e) => {
        if (e.type === 'log') lines.push(e.line);
      },
    },
  );
  assert.equal(result.status, 'succeeded', lines.map((l) => l.text).join('\n'));
  return lines;
}

const cacheLines = (lines: LogLine[]) => lines.filter((l) => l.text.startsWith('cache:'));

describe('cache log lines carry codes (Docker)', () => {
  test('a miss then a save, then a restore: each line coded with its params', async () => {
    const first = cacheLines(await run());
    assert.deepEqual(
      first.map((l) => l.code),
      ['cache.missed', 'cache.saved'],
      first.map((l) => l.text).join('\n'),
    );
    assert.deepEqual(first[0]?.params, { key: 'coded' });
    const saved = first[1]?.params ?? {};
    assert.equal(saved.key, 'coded');
    assert.ok(typeof saved.bytes === 'number' && saved.bytes > 0, JSON.stringify(saved));
    assert.ok(typeof saved.ms === 'number' && saved.ms >= 0, JSON.stringify(saved));

    const second = cacheLines(await run());
    const restored = second.find((l) => l.code === 'cache.restored');
    assert.ok(restored, second.map((l) => l.text).join('\n'));
    assert.equal(restored.params?.key, 'coded');
    assert.ok(['mounted', 'copied'].includes(String(restored.params?.how)), JSON.stringify(restored.params));
    assert.match(restored.text, /^cache: restored key coded \(/);
    assert.ok(
      second.every((l) => l.code !== undefined),
      second.map((l) => l.text).join('\n'),
    );
  });
});
