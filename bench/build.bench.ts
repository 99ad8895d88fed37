/**
 * Issue #5 benchmark: build + push of a tiny two-stage image through Slipway's build path
 * (DockerBackend.buildImage: context out of the workspace volume, BuildKit, push through the
 * Engine API) vs `docker build` + `docker push` with the CLI (DOCKER_BUILDKIT=1), against the
 * same loopback registry, interleaved, medians of ≥5 rounds. Two cases: cold (no cache, so every
 * round builds and pushes a new layer) and cached (nothing changed). Target: ratio ≤ 1.2×.
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
const ROUNDS = Math.max(5, Number(process.env.SLIPWAY_BENCH_ROUNDS ?? 5));
const docker = new Dockerode();
// The CLI builds with BuildKit only through the buildx plugin; without it, both sides use the
// classic builder so that the comparison stays like for like.
const cliBuildKit = await exec('docker', ['buildx', 'version']).then(
  () => true,
  () => false,
);
const backend = new DockerBackend({ docker, buildkit: cliBuildKit ? undefined : false });
const never = new AbortController().signal;

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
const env = { ...process.env, DOCKER_BUILDKIT: cliBuildKit ? '1' : '0' };

async function slipway(noCache: boolean, tag: string): Promise<number> {
  const spec: BuildSpec = buildSpec(runId, {
    repository: slipRepo,
    tags: [tag],
    push: true,
    registry: registry.host,
    noCache,
    labels: LABELS,
  });
  const t0 = performance.now();
  const outcome = await backend.buildImage(spec, { write: () => {}, system: () => {} }, never);
  const ms = performance.now() - t0;
  if (outcome.kind !== 'built') throw new Error(`slipway build: ${JSON.stringify(outcome)}`);
  return ms;
}

async function cli(noCache: boolean, tag: string): Promise<number> {
  const ref = `${cliRepo}:${tag}`;
  // The same labels Slipway sets, so that both sides do the same work.
  const labels = Object.entries(LABELS).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const t0 = performance.now();
  await exec('docker', ['build', ...(noCache ? ['--no-cache'] : []), ...labels, '-q', '-t', ref, cliDir], {
    env,
  });
  await exec('docker', ['push', '-q', ref], { env });
  return performance.now() - t0;
}

const results: Record<string, { slipway: number[]; cli: number[] }> = {
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
  console.log(
    `build + push of a tiny two-stage image, ${ROUNDS} interleaved rounds (medians), ${cliBuildKit ? 'BuildKit' : 'classic builder (the CLI has no buildx)'} on both sides`,
  );
  for (const [name, r] of Object.entries(results)) {
    const s = median(r.slipway);
    const c = median(r.cli);
    const ratio = s / c;
    console.log(
      `  ${name.padEnd(7)} slipway ${fmtMs(s).padStart(8)}   docker CLI ${fmtMs(c).padStart(8)}   ratio ${ratio.toFixed(2)}× ${ratio <= 1.2 ? '(ok ≤ 1.2×)' : '(ABOVE 1.2×)'}`,
    );
  }
} finally {
  await backend.destroyRun(runId);
  await removeRepository(docker, slipRepo);
  await removeRepository(docker, cliRepo);
  await registry.stop();
  await rm(cliDir, { recursive: true, force: true });
}
