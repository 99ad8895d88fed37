/**
 * Issue #11 (caches): a real Node project (test/fixtures/node-cache-project: 15 registry
 * dependencies, 128 packages, lock file committed) run as `npm ci && npm test` in a local Node
 * image, through Slipway's runtime on the real engine. Interleaved rounds of:
 *  - cold: a project with no cache yet (npm downloads everything; the save is included);
 *  - warm: a later run, its `node_modules` cache keyed by the lock file hit (mounted);
 *  - copied: a new key restored from a fallback key, which copies the cache into the job's
 *    new generation (what an archive-style cache costs), for comparison.
 * On a hit `npm ci` would delete the restored node_modules, so the job installs only on a miss
 * (the key is the lock file's hash: a hit matches it), or verifies with a quick
 * `npm install --prefer-offline`; both are measured. Medians, warm/cold (target ≤ 0.35×).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { listGenerations, removeGeneration } from '../src/backends/docker/cache-volumes.js';
import { DockerBackend } from '../src/backends/docker/docker-backend.js';
import { runPipeline } from '../src/runtime/run-pipeline.js';
import { ensureNodeImage } from '../test/support/node-image.js';
import { planOf } from './pipeline.bench.js';
import { fmtMs, median } from './stats.js';

const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? 5));
const FIXTURE = fileURLToPath(new URL('../test/fixtures/node-cache-project/', import.meta.url));
const docker = new Dockerode();
const image = await ensureNodeImage(docker);
const namespaces: string[] = [];

/** On a hit the lock-file key guarantees node_modules matches the lock: install only on a miss. */
const SKIP = '[ -f node_modules/.package-lock.json ] || npm ci';
/** Or check it anyway, quickly and offline. */
const VERIFY =
  'if [ -f node_modules/.package-lock.json ]; then npm install --prefer-offline; else npm ci; fi';

function yaml(key: string, fallback: string | null, install = VERIFY): string {
  return `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      test:
        script:
          - ${JSON.stringify(install)}
          - npm test
        cache:
          key: ${key}
          paths: [node_modules]
${fallback ? `          fallback_keys: [${fallback}]\n` : ''}`;
}

/** One run; returns its wall time and its cache log lines. */
async function run(text: string, project: string): Promise<{ ms: number; cacheLines: string[] }> {
  const cacheLines: string[] = [];
  const t0 = performance.now();
  const result = await runPipeline(planOf(text), {
    runId: `bench-cache-${randomUUID().slice(0, 8)}`,
    runNumber: 1,
    backend: new DockerBackend({ docker }),
    source: { kind: 'directory', path: FIXTURE, files: readdirSync(FIXTURE) },
    project,
    onEvent: (e) => {
      if (e.type === 'log' && e.line.text.startsWith('cache:')) cacheLines.push(e.line.text);
    },
  });
  const ms = performance.now() - t0;
  if (result.status !== 'succeeded')
    throw new Error(`bench run ${result.status}: ${JSON.stringify(result.jobs)}`);
  return { ms, cacheLines };
}

function project(kind: string): string {
  const name = `bench-cache-${kind}-${randomUUID().slice(0, 8)}`;
  namespaces.push(name);
  return name;
}

const lockKey = '{ files: [package-lock.json], prefix: deps }';
const warmProject = project('warm');
try {
  const seed = await run(yaml(lockKey, null), warmProject);
  const savedKey = /saved key (\S+)/.exec(seed.cacheLines.join('\n'))?.[1];
  if (!savedKey) throw new Error(`the seed run saved no cache: ${seed.cacheLines.join(' | ')}`);
  const cold: number[] = [];
  const warm: number[] = [];
  const verified: number[] = [];
  const copied: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    cold.push((await run(yaml(lockKey, null), project('cold'))).ms);
    for (const [install, into] of [
      [SKIP, warm],
      [VERIFY, verified],
    ] as const) {
      const hit = await run(yaml(lockKey, null, install), warmProject);
      if (!hit.cacheLines.some((l) => l.startsWith('cache: restored key'))) {
        throw new Error(`the warm run missed: ${hit.cacheLines.join(' | ')}`);
      }
      into.push(hit.ms);
    }
    const copy = await run(yaml(`copy-${round}-${randomUUID().slice(0, 6)}`, savedKey), warmProject);
    if (!copy.cacheLines.some((l) => l.startsWith('cache: restored fallback key'))) {
      throw new Error(`the copied run restored nothing: ${copy.cacheLines.join(' | ')}`);
    }
    copied.push(copy.ms);
    process.stderr.write(
      `round ${round + 1}/${ROUNDS}: cold ${fmtMs(cold[round] as number)}, warm ${fmtMs(warm[round] as number)}, verified ${fmtMs(verified[round] as number)}, copied ${fmtMs(copied[round] as number)}\n`,
    );
  }
  const c = median(cold);
  const w = median(warm);
  const v = median(verified);
  const k = median(copied);
  console.log('\n### Caches: second run of a real Node project (`npm ci && npm test`, 128 packages)\n');
  console.log(
    `Medians of ${ROUNDS} interleaved rounds, real Docker engine, npm registry through the proxy.\n`,
  );
  console.log('| run | median | vs cold |');
  console.log('|---|---|---|');
  console.log(`| cold (no cache; npm downloads; save included) | ${fmtMs(c)} | 1.00× |`);
  console.log(
    `| warm: lock-file key hit, mounted copy-on-write, no install | ${fmtMs(w)} | ${(w / c).toFixed(2)}× |`,
  );
  console.log(
    `| warm + \`npm install --prefer-offline\` verifying it | ${fmtMs(v)} | ${(v / c).toFixed(2)}× |`,
  );
  console.log(
    `| copied (fallback key: cache copied into the new key) | ${fmtMs(k)} | ${(k / c).toFixed(2)}× |`,
  );
  console.log(
    `\nwarm/cold = ${(w / c).toFixed(2)}×, verified/cold = ${(v / c).toFixed(2)}× (target ≤ 0.35×)`,
  );
} finally {
  for (const namespace of namespaces) {
    for (const generation of await listGenerations(docker, undefined, { namespace })) {
      await removeGeneration(docker, generation).catch(() => {});
    }
  }
}
