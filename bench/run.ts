/**
 * `npm run bench`: runs the benchmarks on the real Docker engine and prints a Markdown report
 * (paste it into BENCHMARKS.md). Rounds are interleaved (A, B, A, B…) so machine noise hits
 * both sides alike; we report medians. ROUNDS=N overrides the number of rounds.
 */
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import { DockerBackend } from '../src/backends/docker/docker-backend.js';
import { ensureBusyboxImage } from '../test/support/test-images.js';
import { bareFirstByte, bareRun, planOf, slipwayRun, tenStages, timed } from './pipeline.bench.js';
import { fmtMs, median } from './stats.js';

const rounds = Number(process.env.ROUNDS ?? 7);
const docker = new Dockerode({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
const image = await ensureBusyboxImage(docker);
const LINES = 100_000;
// 99 characters + newline = 100 bytes per line.
const PRINT = `yes '${'x'.repeat(99)}' | head -n ${LINES}`;

// Warm-up: the first container of a process pays for connection setup and page cache.
await bareRun(docker, image, ['true']);
await slipwayRun(docker, tenStages(image));
// Issue #11: one backend across rounds, so each round is a repeat run of the same pool.
const warmBackend = new DockerBackend({ docker, scope: `bench-warm-${process.pid}` });
const warm = { backend: warmBackend, pool: 'bench' };
await slipwayRun(docker, tenStages(image), undefined, undefined, warm);
await warmBackend.warmSettled();

const bare: number[] = [];
const slip: number[] = [];
const slipWarm: number[] = [];
const firstByte: number[] = [];
const bareFirst: number[] = [];
const slipRate: number[] = [];
const bareRate: number[] = [];
const printer = planOf(
  `version: 1\nimage: ${image}\nstages:\n  - name: log\n    jobs:\n      print: { script: ["${PRINT}"] }\n`,
);
const hello = planOf(
  `version: 1\nimage: ${image}\nstages:\n  - name: s\n    jobs:\n      hello: { script: ["echo hi"] }\n`,
);

for (let i = 0; i < rounds; i++) {
  bare.push(
    await timed(async () => {
      for (let j = 0; j < 10; j++) await bareRun(docker, image, ['true']);
    }),
  );
  slip.push(await timed(() => slipwayRun(docker, tenStages(image))));
  slipWarm.push(await timed(() => slipwayRun(docker, tenStages(image), undefined, undefined, warm)));
  // Preparing the next set is not the run's time, but it must not slow the next bare round.
  await warmBackend.warmSettled();

  const t0 = performance.now();
  let first = 0;
  await slipwayRun(docker, hello, () => {
    first = performance.now() - t0;
  });
  firstByte.push(first);
  bareFirst.push(await bareFirstByte(docker, image));

  let start = 0;
  let count = 0;
  let last = 0;
  await slipwayRun(docker, printer, undefined, () => {
    if (count === 0) start = performance.now();
    count++;
    last = performance.now();
  });
  // The step echo line is one of them; 100k lines from the job itself.
  slipRate.push((count - 1) / ((last - start) / 1000));
  bareRate.push(await bareAttachRate(docker, image, PRINT));
  process.stderr.write(`round ${i + 1}/${rounds} done\n`);
}

const ratio = median(slip) / median(bare);
const report = `### Pipeline engine (issue #2) — ${new Date().toISOString().slice(0, 10)}, ${rounds} interleaved rounds, medians

| measure | Slipway | bare Engine API | ratio | target |
|---|---|---|---|---|
| 10 stages × 1 trivial job | ${fmtMs(median(slip))} | ${fmtMs(median(bare))} (10 × create+start+wait+remove) | **${ratio.toFixed(3)}×** | ≤ 1.05× |
| the same, repeat run with warm containers | ${fmtMs(median(slipWarm))} | ${fmtMs(median(bare))} | **${(median(slipWarm) / median(bare)).toFixed(3)}×** | ≤ 0.5× |
| run start → first log line | ${fmtMs(median(firstByte))} | ${fmtMs(median(bareFirst))} (create+attach+start → first byte) | ${(median(firstByte) / median(bareFirst)).toFixed(2)}× | ≤ 0.6 s |
| log lines/s, 100k lines × 100 B | ${Math.round(median(slipRate)).toLocaleString('en')} | ${Math.round(median(bareRate)).toLocaleString('en')} (raw attach, newlines counted) | ${(median(slipRate) / median(bareRate)).toFixed(2)}× | ≥ 150,000 |

Raw (ms): slipway ${slip.map((x) => x.toFixed(0)).join(', ')} · warm ${slipWarm.map((x) => x.toFixed(0)).join(', ')} · bare ${bare.map((x) => x.toFixed(0)).join(', ')}
`;
process.stdout.write(report);
await warmBackend.close();

async function bareAttachRate(d: Dockerode, img: string, script: string): Promise<number> {
  const c = await d.createContainer({
    Image: img,
    Cmd: ['sh', '-c', script],
    Labels: { 'io.slipway.bench': '1' },
  });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  let lines = 0;
  let start = 0;
  let last = 0;
  stream.on('data', (chunk: Buffer) => {
    if (!start) start = performance.now();
    for (let k = chunk.indexOf(10); k !== -1; k = chunk.indexOf(10, k + 1)) lines++;
    last = performance.now();
  });
  const ended = new Promise((resolve) => stream.on('end', resolve));
  await c.start();
  await c.wait();
  await ended;
  await c.remove({ force: true });
  return lines / ((last - start) / 1000);
}
