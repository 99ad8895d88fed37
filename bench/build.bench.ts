/**
 * Issue #5 benchmark: build + push of a tiny two-stage image through Slipway's build path
 * (DockerBackend.buildImage: context out of the workspace volume, BuildKit via the Engine API's
 * `version=2`, push through the Engine API) vs `DOCKER_BUILDKIT=1 docker build` + `docker push`
 * with Debian's CLI (`/usr/bin/docker`, 20.10: BuildKit built in, no buildx needed), against the
 * same loopback registry, interleaved, medians of ≥5 rounds. Two cases: cold (no cache, so every
 * round builds and pushes a new layer) and cached (nothing changed). Target: ratio ≤ 1.2×.
 * `npx tsx bench/build.bench.ts` (ROUNDS=N, default 7). Also prints the build/push split.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { BuildSpec } from '../src/backends/backend.js';
import { DockerBackend } from '../src/backends/docker/docker-backend.js';
import { buildSpec, removeRepository, setupWorkspace } from '../test/images/build-support.js';
import { startRegistry } from '../test/support/registry.js';
import { ensureBusyboxImage } from '../test/support/test-images.js';
import { fmtMs, median } from './stats.js';

const exec = promisify(execFile);
const ROUNDS = Math.max(5, Number(process.env.ROUNDS ?? process.env.SLIPWAY_BENCH_ROUNDS ?? 7));
// Debian's docker.io client: `DOCKER_BUILDKIT=1 docker build` uses the engine's BuildKit
// directly. (A newer client elsewhere on PATH may want the buildx plugin, which is absent.)
const CLI = process.env.SLIPWAY_BENCH_DOCKER_CLI ?? '/usr/bin/docker';
/** Every CLI call and every Slipway build is bounded: a hung engine fails the bench, not hangs it. */
const STEP_TIMEOUT_MS = 180_000;
const docker = new Dockerode();
// BuildKit on both sides: Slipway's backend is forced to `version=2`, the CLI gets DOCKER_BUILDKIT=1.
const backend = new DockerBackend({ docker, buildkit: true });

const DOCKERFILE = `FROM slipway-test/busybox:1 AS build
RUN mkdir /out && head -c 200000 /dev/urandom > /out/blob && echo built > /out/stamp
FROM slipway-test/busybox:1
COPY --from=build /out /app
COPY app.txt /app.txt
`;

await ensureBusyboxImage(docker);
const registry = await startRegistry();
const cliDir = await mkdtemp(join(tmpdir(), 'slipway-build-bench-'));
await writeFile(join(cliDir, 'Dockerfile'), DOCKERFILE);
await writeFile(join(cliDir, 'app.txt'), 'app\n');
const runId = await setupWorkspace(backend, { Dockerfile: DOCKERFILE, 'app.txt': 'app\n' });
const slipRepo = `${registry.host}/slipway-test-build/bench-slipway`;
const cliRepo = `${registry.host}/slipway-test-build/bench-cli`;
const LABELS = {
  'io.slipway.run': runId,
  'io.slipway.project': 'bench',
  'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
};
const env = { ...process.env, DOCKER_BUILDKIT: '1' };

interface Timing {
  total: number;
  build: number;
  push: number;
}

async function slipway(noCache: boolean, tag: string): Promise<Timing> {
  const spec: BuildSpec = buildSpec(runId, {
    repository: slipRepo,
    tags: [tag],
    push: true,
    registry: registry.host,
    noCache,
    labels: LABELS,
  });
  const t0 = performance.now();
  // The first "pushing …" system line marks the end of the build and the start of the push.
  let pushAt = 0;
  const output = {
    write: () => {},
    system: (text: string) => {
      if (pushAt === 0 && text.startsWith('pushing ')) pushAt = performance.now();
    },
  };
  const outcome = await backend.buildImage(spec, output, AbortSignal.timeout(STEP_TIMEOUT_MS));
  const end = performance.now();
  if (outcome.kind !== 'built' || !outcome.image.pushed)
    throw new Error(`slipway build: ${JSON.stringify(outcome)}`);
  return { total: end - t0, build: pushAt - t0, push: end - pushAt };
}

async function cli(noCache: boolean, tag: string): Promise<Timing> {
  const ref = `${cliRepo}:${tag}`;
  // The same labels Slipway sets, so that both sides do the same work.
  const labels = Object.entries(LABELS).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const t0 = performance.now();
  await exec(CLI, ['build', ...(noCache ? ['--no-cache'] : []), ...labels, '-q', '-t', ref, cliDir], {
    env,
    timeout: STEP_TIMEOUT_MS,
  });
  const t1 = performance.now();
  await exec(CLI, ['push', '-q', ref], { env, timeout: STEP_TIMEOUT_MS });
  const end = performance.now();
  return { total: end - t0, build: t1 - t0, push: end - t1 };
}

const results: Record<string, { slipway: Timing[]; cli: Timing[] }> = {
  cold: { slipway: [], cli: [] },
  cached: { slipway: [], cli: [] },
};
try {
  // Warm-up: the base image's blobs reach the registry once for each repository.
  await slipway(false, 'warm');
  await cli(false, 'warm');
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, noCache] of [
      ['cold', true],
      ['cached', false],
    ] as const) {
      const tag = `${name}-${round}`;
      // Alternate who goes first, so neither always benefits from a warmer engine.
      if (round % 2 === 0) {
        results[name]?.slipway.push(await slipway(noCache, tag));
        results[name]?.cli.push(await cli(noCache, tag));
      } else {
        results[name]?.cli.push(await cli(noCache, tag));
        results[name]?.slipway.push(await slipway(noCache, tag));
      }
    }
  }
  const { stdout: cliVersion } = await exec(CLI, ['version', '--format', '{{.Client.Version}}']);
  console.log(
    `build + push of a tiny two-stage image, BuildKit on both sides (Slipway: Engine API version=2; CLI: DOCKER_BUILDKIT=1 ${CLI} ${cliVersion.trim()}), ${ROUNDS} interleaved rounds (medians)`,
  );
  for (const [name, r] of Object.entries(results)) {
    const pick = (xs: Timing[], k: keyof Timing) => median(xs.map((x) => x[k]));
    const s = pick(r.slipway, 'total');
    const c = pick(r.cli, 'total');
    const ratio = s / c;
    console.log(
      `  ${name.padEnd(7)} slipway ${fmtMs(s).padStart(8)}   docker CLI ${fmtMs(c).padStart(8)}   ratio ${ratio.toFixed(2)}× ${ratio <= 1.2 ? '(ok ≤ 1.2×)' : '(ABOVE 1.2×)'}`,
    );
    console.log(
      `          build: slipway ${fmtMs(pick(r.slipway, 'build'))} cli ${fmtMs(pick(r.cli, 'build'))} · push: slipway ${fmtMs(pick(r.slipway, 'push'))} cli ${fmtMs(pick(r.cli, 'push'))}`,
    );
    console.log(
      `          raw total (ms): slipway ${r.slipway.map((x) => x.total.toFixed(0)).join(', ')} · cli ${r.cli.map((x) => x.total.toFixed(0)).join(', ')}`,
    );
  }
} finally {
  await backend.destroyRun(runId);
  await removeRepository(docker, slipRepo);
  await removeRepository(docker, cliRepo);
  await registry.stop();
  await rm(cliDir, { recursive: true, force: true });
}
