import { parseDuration } from '../../domain/duration.js';
import type { PipelineEvent } from '../../domain/event.js';
import { gitflowClass } from '../../domain/gitflow.js';
import { parseMemorySize, type ResourceRequest } from '../../domain/job-resources.js';
import { recordName } from '../../domain/ref.js';
import type { JobConfig, PipelineConfig, ResourcesConfig, ServiceConfig } from '../config/schema.js';
import { compileArtifactFields } from './compile-artifacts.js';
import { compileBuild, compileDeploy } from './compile-build.js';
import { type ChangesNote, changesNote, changesSkip } from './compile-changes.js';
import { compileFlow, workflowSkip } from './compile-flow.js';
import { evaluateFilters } from './filters.js';
import type { Plan, PlanJob, PlanService, SkipReason } from './plan.js';
import { compileCaches } from './plan-cache.js';
import { compileClone } from './plan-clone.js';

export const DEFAULT_JOB_TIMEOUT_MS = 60 * 60_000;
const SKIP_CI = /\[(?:skip ci|ci skip)\]/i;

/**
 * config × event → Plan. Pure: the same inputs always give the same Plan.
 * Expects a config that passed `loadConfig` without errors (names unique, needs valid).
 */
export function compilePlan(config: PipelineConfig, event: PipelineEvent): Plan {
  // `[skip ci]` is about pushes: someone who asks for a run (Run manually, the API, the CLI, a
  // schedule) of such a commit wants it to run.
  const askedFor = event.kind === 'manual' || event.kind === 'api' || event.kind === 'cron';
  const runSkip: SkipReason | null =
    !askedFor && SKIP_CI.test(event.message)
      ? { code: 'skip_ci', message: 'the head commit message asks to skip CI ([skip ci])' }
      : workflowSkip(config.workflow, event);
  const earlier: string[] = [];
  const stages = config.stages.map((stage) => {
    const jobs = Object.entries(stage.jobs).map(([name, job]) =>
      compileJob(config, stage.name, name, job, event, runSkip, [...earlier]),
    );
    earlier.push(...jobs.map((j) => j.name));
    return { name: stage.name, jobs };
  });
  // Only jobs that may run count: a filtered job's labels must not keep the run waiting.
  const runsOn = { ...stringify(config.runs_on) };
  for (const job of stages.flatMap((s) => s.jobs)) if (!job.skip) Object.assign(runsOn, job.runsOn);
  return {
    version: 1,
    record: recordName(event.ref, event.sha),
    event,
    gitflow: gitflowClass(event.ref),
    skip: runSkip,
    stages,
    ...(Object.keys(runsOn).length > 0 ? { runsOn } : {}),
    ...compileClone(config.clone),
  };
}

function compileJob(
  config: PipelineConfig,
  stage: string,
  name: string,
  job: JobConfig,
  event: PipelineEvent,
  runSkip: SkipReason | null,
  earlierJobs: string[],
): PlanJob {
  const verdict = evaluateFilters(job.only, job.except, event);
  const { never, ...flow } = compileFlow(job);
  const skip: SkipReason | null =
    runSkip ??
    (verdict.matches ? null : { code: 'filtered', message: verdict.why }) ??
    (never ? { code: 'when_never', message: 'when: never' } : null) ??
    changesSkip(job.changes, event);
  return {
    name,
    stage,
    image: job.image ?? config.image ?? '',
    script: typeof job.script === 'string' ? [job.script] : (job.script ?? []),
    // `variables` is GitLab's word for `env`; both are accepted, `variables` wins on a clash.
    env: {
      ...stringify(config.env),
      ...stringify(config.variables),
      ...stringify(job.env),
      ...stringify(job.variables),
    },
    secrets: job.secrets ?? [],
    services: Object.entries(job.services ?? {}).map(([serviceName, s]) => compileService(serviceName, s)),
    timeoutMs: (job.timeout ? parseDuration(job.timeout) : null) ?? DEFAULT_JOB_TIMEOUT_MS,
    dependsOn: job.needs ?? earlierJobs,
    dag: job.needs !== undefined,
    skip,
    ...flow,
    // Only when true: plans stored before `interruptible` existed read the same (absent = false).
    ...((job.interruptible ?? config.interruptible) ? { interruptible: true } : {}),
    ...(job.build ? { build: compileBuild(job.build, event) } : {}),
    ...(job.deploy ? { deploy: compileDeploy(job.deploy) } : {}),
    ...(job.resources ? { resources: compileResources(job.resources) } : {}),
    ...(job.runs_on ? { runsOn: stringify(job.runs_on) } : {}),
    ...(job.cache ? { caches: compileCaches(job.cache) } : {}),
    ...compileArtifactFields(job),
    ...noteOf(skip ? null : changesNote(job.changes, event)),
  };
}

function noteOf(note: ChangesNote | null): Pick<PlanJob, 'changesNote' | 'changesNoteCode'> {
  return note === null ? {} : { changesNote: note.text, changesNoteCode: note.code };
}

function compileResources(resources: ResourcesConfig): ResourceRequest {
  const memory = resources.memory;
  const memoryBytes = typeof memory === 'string' ? (parseMemorySize(memory) ?? undefined) : memory;
  return {
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(resources.pids !== undefined ? { pids: resources.pids } : {}),
    ...(resources.cpus !== undefined ? { cpus: resources.cpus } : {}),
  };
}

function compileService(name: string, service: ServiceConfig): PlanService {
  if (typeof service === 'string') return { name, image: service, env: {}, command: null };
  const command = service.command === undefined ? null : service.command;
  return {
    name,
    image: service.image,
    env: stringify(service.env),
    command: typeof command === 'string' ? ['/bin/sh', '-c', command] : command,
  };
}

function stringify(env: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) out[k] = String(v);
  return out;
}
