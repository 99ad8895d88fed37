/**
 * Issue #2 benchmarks, on the real Docker engine, interleaved in one process:
 *  1. a 10-stage pipeline of one trivial job each through Slipway's runtime, vs 10 bare
 *     create+start+wait+remove runs through the Engine API (the floor nothing can beat);
 *  2. run start → first log line of the first job;
 *  3. log throughput: a job printing 100k lines of 100 bytes, lines/s seen by the runtime's
 *     consumer, vs the same container read raw over a bare attach.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { DockerBackend } from '../src/backends/docker/docker-backend.js';
import type { PipelineEvent } from '../src/domain/event.js';
import { loadConfig } from '../src/pipeline/config/load-config.js';
import { compilePlan } from '../src/pipeline/plan/compile-plan.js';
import type { Plan } from '../src/pipeline/plan/plan.js';
import { runPipeline } from '../src/runtime/run-pipeline.js';

const EVENT: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'b3ac0ffee0000000000000000000000000000000',
  author: 'bench',
  message: 'bench',
};

export function planOf(yaml: string): Plan {
  const loaded = loadConfig(yaml, 'bench.yml');
  if (!loaded.config) throw new Error(JSON.stringify(loaded.diagnostics));
  return compilePlan(loaded.config, EVENT);
}

export function tenStages(image: string): Plan {
  const stages = Array.from(
    { length: 10 },
    (_, i) => `  - name: s${i}\n    jobs:\n      j${i}: { script: ["true"] }`,
  );
  return planOf(`version: 1\nimage: ${image}\nstages:\n${stages.join('\n')}\n`);
}

/** The floor: what the engine itself costs for one container run. */
export async function bareRun(docker: Dockerode, image: string, cmd: string[]): Promise<void> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Labels: { 'io.slipway.bench': '1' },
  });
  await container.start();
  await container.wait();
  await container.remove({ force: true });
}

export async function slipwayRun(
  docker: Dockerode,
  plan: Plan,
  onFirstLine?: () => void,
  onLine?: () => void,
  /** A backend kept across runs with a warm pool key: repeat runs find containers started. */
  warm?: { backend: DockerBackend; pool: string },
): Promise<void> {
  let first = true;
  const result = await runPipeline(plan, {
    runId: `bench-${randomUUID().slice(0, 8)}`,
    runNumber: 1,
    backend: warm?.backend ?? new DockerBackend({ docker }),
    ...(warm ? { warmPool: warm.pool } : {}),
    source: { kind: 'empty' },
    onEvent: (e) => {
      if (e.type !== 'log') return;
      if (first && e.line.stream !== 'system') {
        first = false;
        onFirstLine?.();
      }
      onLine?.();
    },
  });
  if (result.status !== 'succeeded')
    throw new Error(`bench run ${result.status}: ${JSON.stringify(result.jobs)}`);
}

/** The floor for "first log byte": create + attach + start of a bare container printing one line. */
export async function bareFirstByte(docker: Dockerode, image: string): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: image,
    Cmd: ['echo', 'hi'],
    Labels: { 'io.slipway.bench': '1' },
  });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  const got = new Promise<number>((resolve) => stream.once('data', () => resolve(performance.now() - t0)));
  await c.start();
  const first = await got;
  await c.wait();
  await c.remove({ force: true });
  return first;
}

export async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
