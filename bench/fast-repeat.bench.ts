/**
 * Issue #11 benchmarks, interleaved in one process, medians:
 *  1. CLI start-up: `slipway --version` and `slipway lint` of a tiny file, each as a fresh
 *     `node bin/slipway.js` process, next to `node -e 0` (the floor of any Node program);
 *  2. `slipway exec` of a 10-stage pipeline of one trivial job each, by exec's own timing (the
 *     run's startedAt → finishedAt from --json) and by wall time, vs 10 bare
 *     create+start+wait+remove through the Engine API. The pipeline runs twice before the
 *     rounds, so every measured exec is a repeat run finding its warm containers.
 * Run: `npx tsx bench/fast-repeat.bench.ts` (ROUNDS=N). Prints Markdown for BENCHMARKS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
// @ts-expect-error -- plain JavaScript (it runs before any loader), no declarations.
import { chooseEntry } from '../bin/entry.js';
import { collectWarm } from '../src/backends/docker/warm-pool.js';
import { ensureBusyboxImage } from '../test/support/test-images.js';
import { bareRun, timed } from './pipeline.bench.js';
import { fmtMs, median } from './stats.js';

const rounds = Number(process.env.ROUNDS ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'slipway.js');
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const image = await ensureBusyboxImage(docker);

// The CLI is measured as installed: from its compiled output (what `npm install` builds).
if ((chooseEntry as (r: string) => string)(root) !== 'compiled') {
  process.stderr.write('dist/ is missing or older than src/: building it (npm run build)…\n');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-repeat-'));
try {
  const stages = Array.from(
    { length: 10 },
    (_, i) => `  - name: s${i}\n    jobs:\n      j${i}: { script: ["true"] }`,
  );
  writeFileSync(join(dir, '.slipway.yml'), `version: 1\nimage: ${image}\nstages:\n${stages.join('\n')}\n`);
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=b@x', ...args]);
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'bench');

  const wall = (args: string[], cwd = dir) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { ms: performance.now() - t0, stdout: r.stdout };
  };
  const exec = () => {
    const r = wall([bin, 'exec', '--backend', 'docker', '--json']);
    const result = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n{\n') + 1)) as {
      status: string;
      startedAt: number;
      finishedAt: number;
    };
    if (result.status !== 'succeeded') throw new Error(`exec ended ${result.status}`);
    return { took: result.finishedAt - result.startedAt, wall: r.ms };
  };

  // Warm-up: page cache, the engine's first containers, and the pool's first set.
  await bareRun(docker, image, ['true']);
  exec();
  exec();

  const nodeFloor: number[] = [];
  const version: number[] = [];
  const lint: number[] = [];
  const took: number[] = [];
  const execWall: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < rounds; i++) {
    nodeFloor.push(wall(['-e', '0']).ms);
    version.push(wall([bin, '--version']).ms);
    lint.push(wall([bin, 'lint', '.slipway.yml']).ms);
    const e = exec();
    took.push(e.took);
    execWall.push(e.wall);
    bare.push(
      await timed(async () => {
        for (let j = 0; j < 10; j++) await bareRun(docker, image, ['true']);
      }),
    );
    process.stderr.write(`round ${i + 1}/${rounds} done\n`);
  }
  const ratio = median(took) / median(bare);
  process.stdout.write(`### Fast repeat runs (issue #11) — ${new Date().toISOString().slice(0, 10)}, ${rounds} interleaved rounds, medians

| measure | Slipway | baseline | ratio | target |
|---|---|---|---|---|
| \`slipway --version\` (process start → exit) | ${fmtMs(median(version))} | ${fmtMs(median(nodeFloor))} (\`node -e 0\`) | ${(median(version) / median(nodeFloor)).toFixed(2)}× | ≤ 0.2 s |
| \`slipway lint\` of a tiny file | ${fmtMs(median(lint))} | ${fmtMs(median(nodeFloor))} (\`node -e 0\`) | ${(median(lint) / median(nodeFloor)).toFixed(2)}× | ≤ 0.2 s |
| \`slipway exec\`, 10 stages × 1 trivial job, repeat run (exec's own "took") | ${fmtMs(median(took))} | ${fmtMs(median(bare))} (10 × create+start+wait+remove) | **${ratio.toFixed(3)}×** | ≤ 0.5× |
| the same exec, whole process (start-up, run, preparing the next run's containers) | ${fmtMs(median(execWall))} | — | — | — |

Raw (ms): took ${took.map((x) => x.toFixed(0)).join(', ')} · bare ${bare.map((x) => x.toFixed(0)).join(', ')} · --version ${version.map((x) => x.toFixed(0)).join(', ')} · lint ${lint.map((x) => x.toFixed(0)).join(', ')}
`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  // The checkout is gone, so are its warm containers (exec's have no installation label).
  const filters = { label: ['io.slipway.warm-pool', `io.slipway.warm-path=/workspace`] };
  for (const c of await docker.listContainers({ all: true, filters }))
    if (!c.Labels['io.slipway.installation']) await docker.getContainer(c.Id).remove({ force: true });
  await collectWarm(docker, undefined, 0);
}
