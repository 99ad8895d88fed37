/**
 * Issue #6 benchmark: a rolling update (start-first) of a 2-replica Swarm service through
 * Slipway's SwarmTarget vs the same update with the Docker CLI (`docker service update --image
 * … --update-order start-first`), on the same service, interleaved, medians of 5 rounds (ROUNDS=N, ≥3), while
 * a request loop counts failed requests. Targets: ratio ≤ 1.2×, zero failed requests.
 * Publishing: SLIPWAY_BENCH_SWARM_PUBLISH=ingress|proxy (default proxy: engines without IPVS).
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { environmentName } from '../src/deploy/labels.js';
import { SwarmTarget } from '../src/deploy/swarm-target.js';
import { freePort, get, requestLoop, specFor, uniqueRef } from '../test/deploy/deploy-support.js';
import { ensureSwarm } from '../test/deploy/swarm-setup.js';
import { ensureHttpServiceImage } from '../test/support/http-service-image.js';
import { fmtMs, median } from './stats.js';

const run = promisify(execFile);
const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? process.env.SLIPWAY_BENCH_ROUNDS ?? 5));
// Debian's client matches the engine (20.10); any `docker` works for `service update`.
const CLI = process.env.SLIPWAY_BENCH_DOCKER_CLI ?? '/usr/bin/docker';
/** Each update, either side, is bounded: a stuck rollout fails the bench instead of hanging it. */
const UPDATE_TIMEOUT_MS = 180_000;
const docker = new Dockerode();

await ensureSwarm(docker);
const v1 = await ensureHttpServiceImage(docker, 'v1');
const v2 = await ensureHttpServiceImage(docker, 'v2');
const publish = process.env.SLIPWAY_BENCH_SWARM_PUBLISH === 'ingress' ? 'ingress' : 'proxy';
const target = new SwarmTarget({
  docker,
  publish,
  listenHost: '127.0.0.1',
  monitorMs: 2_000,
  stopGraceSeconds: 3,
});
const ref = uniqueRef('bench');
const port = await freePort();
const spec = (image: string) => specFor(ref, image, port, { replicas: 2 });

const slipway: number[] = [];
const cli: number[] = [];
let failed = 0;
let requests = 0;
let loop: ReturnType<typeof requestLoop> | null = null;
try {
  const first = await target.deploy(spec(v1.tag), () => {}, AbortSignal.timeout(UPDATE_TIMEOUT_MS));
  if (first.result !== 'succeeded') throw new Error(`initial deploy: ${JSON.stringify(first)}`);
  loop = requestLoop(port, 20, 30 * 60_000);
  let current = v1;
  for (let round = 0; round < ROUNDS; round++) {
    current = current === v1 ? v2 : v1;
    let t0 = performance.now();
    const outcome = await target.deploy(spec(current.tag), () => {}, AbortSignal.timeout(UPDATE_TIMEOUT_MS));
    slipway.push(performance.now() - t0);
    if (outcome.result !== 'succeeded') throw new Error(`slipway update: ${JSON.stringify(outcome)}`);

    current = current === v1 ? v2 : v1;
    t0 = performance.now();
    await run(
      CLI,
      [
        'service',
        'update',
        '--quiet',
        '--image',
        current.id,
        '--no-resolve-image',
        '--update-order',
        'start-first',
        environmentName(ref),
      ],
      { timeout: UPDATE_TIMEOUT_MS },
    );
    cli.push(performance.now() - t0);
    console.log(`round ${round + 1}: slipway ${fmtMs(slipway.at(-1) ?? 0)}, cli ${fmtMs(cli.at(-1) ?? 0)}`);
  }
  const result = await loop.stop();
  loop = null;
  failed = result.failed;
  requests = result.ok + result.failed;
  if (result.failed > 0) console.log(`errors: ${result.errors.slice(0, 5).join(', ')}`);
  console.log(`answers now: ${(await get(port, '/version')).body}`);
} finally {
  await loop?.stop();
  await target.remove(ref);
  await target.close();
}
const ratio = median(slipway) / median(cli);
console.log(`rolling update, 2 replicas, start-first (${publish} publishing), medians of ${ROUNDS}:`);
console.log(
  `  slipway ${fmtMs(median(slipway))}  docker cli ${fmtMs(median(cli))}  ratio ${ratio.toFixed(2)}× (target ≤ 1.2×)`,
);
console.log(`  failed requests ${failed} of ${requests} (target 0)`);
