import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reapStale } from '../backends/docker/cleanup.js';
import { DockerBackend } from '../backends/docker/docker-backend.js';
import { registryOf } from '../domain/image-reference.js';
import type { Ref } from '../domain/ref.js';
import { hasErrors } from '../pipeline/config/diagnostic.js';
import { formatDiagnostics } from '../pipeline/config/format-diagnostics.js';
import { compilePlan } from '../pipeline/plan/compile-plan.js';
import type { PlanJob } from '../pipeline/plan/plan.js';
import { planClone } from '../pipeline/plan/plan-clone.js';
import { type RegistryLogin, repositoryFromName } from '../runtime/build-spec.js';
import { runPipeline } from '../runtime/run-pipeline.js';
import { validateSecrets } from '../runtime/secret-masker.js';
import { type BackendChoice, chooseBackend } from './choose-backend.js';
import { execResourceLimits } from './exec-limits.js';
import { ExecPrinter } from './exec-printer.js';
import { execRepository, execSource } from './exec-source.js';
import { eventFromWorkingTree, workingTreeFiles } from './git-info.js';
import { loadPipelineFile } from './load-pipeline-file.js';
import { parsePairs, readSecretsFile } from './secrets-input.js';
import { UsageError } from './usage-error.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  color: boolean;
  /** Where SIGINT is delivered; a test passes its own emitter. */
  interrupts?: {
    on(event: 'SIGINT', fn: () => void): unknown;
    off(event: 'SIGINT', fn: () => void): unknown;
  };
}

export const EXEC_USAGE = `usage: slipway exec [options]
  Runs the .slipway.yml of a directory (its working tree) in containers, as the server would.
  --file F            pipeline file (default .slipway.yml)
  --dir D             directory whose working tree becomes the workspace (default: current)
  --job NAME          run only this job (repeatable; also runs it when it is manual)
  --stage NAME        run only the jobs of this stage (repeatable)
  --branch B | --tag T  evaluate filters as this ref would (default: the checked-out branch)
  --env K=V           extra environment for every job (repeatable)
  --secret K=V        a secret, given to the jobs that name it (repeatable; ≥ 8 characters)
  --secret-file F     secrets as NAME=value lines
  --manual            also run jobs marked when: manual
  --backend B         docker | local | auto (default auto: Docker when the engine answers)
  --timeout-grace S   seconds between SIGTERM and SIGKILL on cancel/timeout (default 10)
  --max-memory M      most memory a job may ask for in resources: (default 16g; jobs that
                      ask for none get 4g, or this when lower)
  --max-pids N        most processes/threads a job may ask for (default 16384; default 2048)
  --max-cpus N        most CPUs a job may ask for (default: no limit)
  --json              print the run result as JSON at the end
  --no-warm           leave no pre-started containers for the next exec of this directory
                      (by default a few wait, ending themselves after 15 idle minutes)
  --push              let build jobs push to their registry (default: images stay in the local engine)
  --registry-user U   push with this user (implies --push); the password comes from
                      --registry-password P or the SLIPWAY_REGISTRY_PASSWORD variable`;

/** `slipway exec`: exit 0 when the run succeeded, 1 when it failed or was canceled, 2 for bad usage. */
export async function execCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      file: { type: 'string' },
      dir: { type: 'string' },
      job: { type: 'string', multiple: true },
      stage: { type: 'string', multiple: true },
      branch: { type: 'string' },
      tag: { type: 'string' },
      env: { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      'secret-file': { type: 'string' },
      manual: { type: 'boolean' },
      backend: { type: 'string' },
      'timeout-grace': { type: 'string' },
      'max-memory': { type: 'string' },
      'max-pids': { type: 'string' },
      'max-cpus': { type: 'string' },
      json: { type: 'boolean' },
      'no-warm': { type: 'boolean' },
      push: { type: 'boolean' },
      'registry-user': { type: 'string' },
      'registry-password': { type: 'string' },
    },
  });
  if (values.branch && values.tag) throw new UsageError('give --branch or --tag, not both');
  const backendChoice = (values.backend ?? 'auto') as BackendChoice;
  if (!['docker', 'local', 'auto'].includes(backendChoice)) {
    throw new UsageError(`--backend must be docker, local or auto; got "${values.backend}"`);
  }
  const grace = values['timeout-grace'] === undefined ? 10 : Number(values['timeout-grace']);
  if (!Number.isFinite(grace) || grace < 0)
    throw new UsageError('--timeout-grace expects a number of seconds');
  const resourceLimits = execResourceLimits(values);

  const dir = resolve(io.cwd, values.dir ?? '.');
  const file = resolve(dir, values.file ?? '.slipway.yml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const loaded = await loadPipelineFile(text, file, dir);
  if (loaded.diagnostics.length > 0)
    io.stderr(`${formatDiagnostics(loaded.diagnostics, loaded.sources, { color: io.color })}\n`);
  if (!loaded.config || hasErrors(loaded.diagnostics)) return 1;

  const secrets = {
    ...(values['secret-file'] ? await readSecretsFile(resolve(io.cwd, values['secret-file'])) : {}),
    ...parsePairs(values.secret ?? [], '--secret'),
  };
  const secretProblems = validateSecrets(secrets);
  if (secretProblems.length > 0) throw new UsageError(secretProblems.join('\n'));
  const extraEnv = parsePairs(values.env ?? [], '--env');

  const override: Ref | null = values.tag
    ? { kind: 'tag', name: values.tag }
    : values.branch
      ? { kind: 'branch', name: values.branch }
      : null;
  const event = await eventFromWorkingTree(dir, override);
  const plan = compilePlan(loaded.config, event);
  for (const job of plan.stages.flatMap((s) => s.jobs)) Object.assign(job.env, extraEnv);
  // `--job test` selects every job of test's matrix (`test [node=20]`, …).
  const jobs = (values.job ?? []).flatMap((j) => matrixJobs(plan.stages, j));
  checkSelection(plan.stages, jobs, values.stage ?? []);
  const registries = localBuilds(plan.stages, values, io.env);

  const chosen = await chooseBackend(backendChoice, io.env.DOCKER_HOST);
  if (chosen.warning) io.stderr(`\n  ⚠  ${chosen.warning}\n\n`);
  const owner = `${hostname()}:${process.pid}`;
  if (chosen.docker) await reapStale(chosen.docker, (labels) => ownerAlive(labels['io.slipway.owner']));

  const printer = new ExecPrinter(
    io.stdout,
    io.color,
    plan.stages.flatMap((s) => s.jobs.map((j) => j.name)),
  );
  const cancel = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr('\ncanceling: stopping containers (Ctrl-C again to quit at once)…\n');
      cancel.abort();
    } else {
      process.exit(130);
    }
  };
  io.interrupts?.on('SIGINT', onInterrupt);
  try {
    const result = await runPipeline(plan, {
      runId: `exec-${randomUUID().slice(0, 8)}`,
      runNumber: 1,
      backend: chosen.backend,
      source: execSource(dir, await workingTreeFiles(dir), planClone(plan), await execRepository(dir)),
      secrets,
      signal: cancel.signal,
      graceMs: grace * 1000,
      resourceLimits,
      labels: { 'io.slipway.owner': owner },
      selection: { jobs, stages: values.stage ?? [] },
      runManual: values.manual ?? false,
      registries,
      project: basename(dir),
      imageRepository: repositoryFromName(basename(dir)),
      // The next exec of this directory (only) finds its containers started (warm-pool.ts).
      ...(values['no-warm'] ? {} : { warmPool: `exec:${dir}` }),
      onEvent: (e) => printer.onEvent(e),
    });
    io.stdout(`\n${printer.summary(result)}`);
    if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    // After the summary: preparing the next run's containers is not this run's time.
    if (chosen.backend instanceof DockerBackend) await chosen.backend.warmSettled();
    return result.status === 'succeeded' || result.status === 'skipped' ? 0 : 1;
  } finally {
    io.interrupts?.off('SIGINT', onInterrupt);
  }
}

/**
 * Locally, builds keep their images in the engine unless asked to push; a login given on the
 * command line applies to every registry the builds push to.
 */
function localBuilds(
  stages: { jobs: PlanJob[] }[],
  values: { push?: boolean; 'registry-user'?: string; 'registry-password'?: string },
  env: Record<string, string | undefined>,
): RegistryLogin[] {
  const user = values['registry-user'];
  const password = values['registry-password'] ?? env.SLIPWAY_REGISTRY_PASSWORD;
  if (user !== undefined && !password) {
    throw new UsageError('--registry-user needs --registry-password or SLIPWAY_REGISTRY_PASSWORD');
  }
  const push = values.push === true || user !== undefined;
  const logins: RegistryLogin[] = [];
  for (const job of stages.flatMap((s) => s.jobs)) {
    if (!job.build) continue;
    if (!push) {
      job.build.push = false;
      continue;
    }
    const host = job.build.registry ?? registryOf(job.build.repository ?? '');
    if (host && user !== undefined && password && !logins.some((l) => l.host === host))
      logins.push({ host, username: user, password });
  }
  return logins;
}

function checkSelection(
  stages: { name: string; jobs: { name: string }[] }[],
  jobs: string[],
  wanted: string[],
) {
  const jobNames = new Set(stages.flatMap((s) => s.jobs.map((j) => j.name)));
  const stageNames = new Set(stages.map((s) => s.name));
  for (const j of jobs)
    if (!jobNames.has(j)) throw new UsageError(`--job ${j}: no such job (jobs: ${[...jobNames].join(', ')})`);
  for (const s of wanted)
    if (!stageNames.has(s))
      throw new UsageError(`--stage ${s}: no such stage (stages: ${[...stageNames].join(', ')})`);
}

/** `name` itself when it is a job, else the jobs its matrix made, else `name` (reported unknown). */
function matrixJobs(stages: { jobs: { name: string }[] }[], name: string): string[] {
  const all = stages.flatMap((s) => s.jobs.map((j) => j.name));
  if (all.includes(name)) return [name];
  const variants = all.filter((j) => j.startsWith(`${name} [`));
  return variants.length > 0 ? variants : [name];
}

/** Resources of an exec on this host whose process is gone are orphans from a crash. */
function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return true;
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}
