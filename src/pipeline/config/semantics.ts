/**
 * Checks that need the whole config at once, or knowledge from the domain, which the zod schema
 * cannot express: names unique across stages, `needs` pointing backwards, durations, filters.
 * Runs only on a config the schema accepted, so the types can be trusted.
 */
import { parseDuration } from '../../domain/duration.js';
import { EVENT_KINDS } from '../../domain/event.js';
import { GITFLOW_CLASSES, isGitFlowClass } from '../../domain/gitflow.js';
import { REGISTRY, repositoryProblem, tagProblem } from '../../domain/image-reference.js';
import { reservedBuildArgReason, reservedEnvReason } from '../../domain/reserved-env.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import { type ConfigPath, formatPath, type Locator } from './locate.js';
import { checkRunsOn } from './runs-on-check.js';
import type { BuildConfig, DeployConfig, FilterConfig, JobConfig, PipelineConfig } from './schema.js';
import { checkClone } from './schema-clone.js';
import { suggest } from './suggest.js';
import { checkVariables } from './variable-check.js';

/**
 * Most jobs one pipeline may define. Every job is a row, a queue selection entry, a container
 * and a column in the UI; far beyond this the run cannot be stored or shown sensibly. Generated
 * pipelines that need more should be split into several projects or a matrix in a script.
 */
export const MAX_JOBS = 1000;

interface JobSite {
  stage: number;
  path: ConfigPath;
}

export function checkSemantics(config: PipelineConfig, locate: Locator, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (
    code: string,
    message: string,
    path: ConfigPath,
    target: 'key' | 'value' = 'value',
    severity: Severity = 'error',
  ) => {
    const { line, col, file: at = file } = locate(path, target);
    out.push({ code, message, severity, file: at, line, col, path: formatPath(path) });
  };
  const lineOf = (path: ConfigPath, target: 'key' | 'value' = 'value') => locate(path, target).line;

  // Guessing compares a name with every job; in a generated file with thousands of broken
  // `needs` that is quadratic, and nobody reads the hundredth hint anyway.
  let guessesLeft = 100;
  const stages = new Map<string, number>();
  const jobs = new Map<string, JobSite>();
  let jobCount = 0;
  config.stages.forEach((stage, s) => {
    const firstStage = stages.get(stage.name);
    if (firstStage === undefined) stages.set(stage.name, s);
    else {
      const line = lineOf(['stages', firstStage, 'name']);
      report('duplicate-stage', `stage "${stage.name}" is defined twice (first on line ${line})`, [
        'stages',
        s,
        'name',
      ]);
    }
    for (const name of Object.keys(stage.jobs)) {
      const path = ['stages', s, 'jobs', name];
      jobCount++;
      if (jobCount === MAX_JOBS + 1) {
        report(
          'too-many-jobs',
          `job "${name}" is job number ${MAX_JOBS + 1}; a pipeline may have at most ${MAX_JOBS} jobs`,
          path,
          'key',
        );
      }
      const first = jobs.get(name);
      if (!first) {
        jobs.set(name, { stage: s, path });
        continue;
      }
      const where = `stage "${config.stages[first.stage]!.name}" (line ${lineOf(first.path, 'key')})`;
      report(
        'duplicate-job',
        `job "${name}" is already defined in ${where}; job names must be unique across stages`,
        path,
        'key',
      );
    }
  });

  const buildJobs = config.stages.flatMap((stage) =>
    Object.entries(stage.jobs)
      .filter(([, job]) => job.build !== undefined)
      .map(([name]) => name),
  );

  checkNames(config.env, ['env'], "the pipeline's env", reservedEnvReason);
  checkNames(config.variables, ['variables'], "the pipeline's variables", reservedEnvReason);
  if (config.default)
    checkNames(config.default.variables, ['default', 'variables'], 'default', reservedEnvReason);
  config.stages.forEach((stage, s) => {
    for (const [name, job] of Object.entries(stage.jobs)) {
      checkJob(name, job, s, ['stages', s, 'jobs', name]);
    }
  });
  out.push(...checkRunsOn(config, locate, file));
  out.push(...checkClone(config.clone, locate, file));
  out.push(...checkVariables(config, locate, file));
  return out;

  /** Reserved variable names (domain/reserved-env.ts), reported on the key that sets them. */
  function checkNames(
    names: Record<string, unknown> | readonly string[] | undefined,
    path: ConfigPath,
    owner: string,
    reason: (name: string) => string | null,
  ): void {
    if (names === undefined) return;
    const list = Array.isArray(names)
      ? names.map((n, k) => [n, k] as const)
      : Object.keys(names).map((n) => [n, n] as const);
    for (const [name, at] of list) {
      const why = reason(name);
      if (why === null) continue;
      const target = Array.isArray(names) ? 'value' : 'key';
      report('reserved-env', `${owner} may not set ${name}: ${why}`, [...path, at], target);
    }
  }

  function checkJob(name: string, job: JobConfig, stageIndex: number, path: ConfigPath): void {
    const kinds = (['script', 'build', 'deploy'] as const).filter((key) => job[key] !== undefined);
    if (kinds.length === 0) {
      // Most jobs are script jobs: name the key they most likely forgot.
      report('missing-key', `missing key "script" in job "${name}"`, [...path, 'script'], 'key');
    } else if (kinds.length > 1) {
      report(
        'job-kind',
        `job "${name}" has ${kinds.join(' and ')}; a job is exactly one of script, build or deploy`,
        path,
        'key',
      );
    }
    // Build and deploy jobs run on the engine itself, not in a job image.
    if (job.build === undefined && job.deploy === undefined && !job.image && !config.image) {
      report(
        'missing-image',
        `job "${name}" has no image, and there is no top-level image to fall back on`,
        path,
        'key',
      );
    }
    const lines = typeof job.script === 'string' ? [job.script] : (job.script ?? []);
    if (
      job.script !== undefined &&
      job.build === undefined &&
      job.deploy === undefined &&
      lines.every((line) => line.trim() === '')
    ) {
      report('empty-script', `job "${name}" has an empty script`, [...path, 'script']);
    }
    checkNames(job.env, [...path, 'env'], `job "${name}"`, reservedEnvReason);
    checkNames(job.variables, [...path, 'variables'], `job "${name}"`, reservedEnvReason);
    checkNames(
      job.secrets,
      [...path, 'secrets'],
      `job "${name}" (secrets become variables)`,
      reservedEnvReason,
    );
    for (const [service, spec] of Object.entries(job.services ?? {})) {
      if (typeof spec === 'string') continue;
      checkNames(spec.env, [...path, 'services', service, 'env'], `service "${service}"`, reservedEnvReason);
    }
    if (job.build) {
      checkNames(
        job.build.args,
        [...path, 'build', 'args'],
        `build.args of job "${name}"`,
        reservedBuildArgReason,
      );
    }
    if (job.build) checkBuild(name, job.build, [...path, 'build']);
    if (job.deploy) checkDeploy(name, job.deploy, [...path, 'deploy']);
    if (job.timeout !== undefined && parseDuration(job.timeout) === null) {
      report(
        'invalid-timeout',
        `timeout ${JSON.stringify(job.timeout)} of job "${name}" is not a duration; write 90s, 10m or 1h30m`,
        [...path, 'timeout'],
      );
    }
    job.needs?.forEach((need, k) => {
      checkNeed(name, need, stageIndex, [...path, 'needs', k]);
    });
    for (const key of ['only', 'except'] as const) {
      const filter = job[key];
      if (filter !== undefined) checkFilter(filter, `"${key}" of job "${name}"`, [...path, key]);
    }
    if (job.when === 'manual' && job.allow_failure === true) {
      report(
        'redundant-allow-failure',
        `allow_failure is implied for manual job "${name}"; remove it`,
        [...path, 'allow_failure'],
        'key',
        'warning',
      );
    }
  }

  function checkBuild(name: string, build: BuildConfig, path: ConfigPath): void {
    // A value with `$VAR` is checked by the engine once expanded (runtime/expand-job.ts).
    build.tags?.forEach((tag, k) => {
      const problem = tag.includes('$') ? null : tagProblem(tag);
      if (problem) report('invalid-tag', `${problem} in build.tags of job "${name}"`, [...path, 'tags', k]);
    });
    if (build.image !== undefined && !build.image.includes('$')) {
      const problem = repositoryProblem(build.image);
      if (problem) report('invalid-image', `${problem} in build.image of job "${name}"`, [...path, 'image']);
    }
    if (build.registry !== undefined && !REGISTRY.test(build.registry)) {
      report(
        'invalid-registry',
        `registry "${build.registry}" in build.registry of job "${name}" is not a host[:port]`,
        [...path, 'registry'],
      );
    }
    // Security rule 5: both paths stay inside the workspace (symlinks are checked when the job runs).
    for (const field of ['context', 'dockerfile'] as const) {
      const value = build[field];
      const problem = value === undefined ? null : workspacePathProblem(value);
      if (problem) {
        report('path-outside-workspace', `build.${field} of job "${name}" ${problem}`, [...path, field]);
      }
    }
  }

  function checkDeploy(name: string, deploy: DeployConfig, path: ConfigPath): void {
    if (deploy.from !== undefined) {
      if (!buildJobs.includes(deploy.from)) {
        const guess = guessesLeft-- > 0 ? suggest(deploy.from, buildJobs) : null;
        const known =
          buildJobs.length > 0 ? `build jobs: ${buildJobs.join(', ')}` : 'the pipeline has no build job';
        report(
          'deploy-from',
          `deploy.from of job "${name}" names "${deploy.from}", which is not a build job (${guess ? `did you mean "${guess}"? ` : ''}${known})`,
          [...path, 'from'],
        );
      }
    } else if (deploy.image === undefined && buildJobs.length !== 1) {
      report(
        'deploy-from',
        buildJobs.length === 0
          ? `deploy job "${name}" has nothing to deploy: the pipeline has no build job; set deploy.image`
          : `deploy job "${name}" must say which image to deploy: set deploy.from to one of ${buildJobs.join(', ')}`,
        path,
        'key',
      );
    }
  }

  function checkNeed(name: string, need: string, stageIndex: number, path: ConfigPath): void {
    const target = jobs.get(need);
    if (need === name) {
      report('needs-not-earlier', `job "${name}" needs itself`, path);
    } else if (!target) {
      const guess = guessesLeft-- > 0 ? suggest(need, jobs.keys()) : null;
      const hint = guess ? `; did you mean "${guess}"?` : '';
      report('needs-unknown-job', `job "${name}" needs "${need}", which is not a job${hint}`, path);
    } else if (target.stage >= stageIndex) {
      const stageName = config.stages[target.stage]!.name;
      const when = target.stage === stageIndex ? 'in the same stage' : 'in a later stage';
      report(
        'needs-not-earlier',
        `job "${name}" needs "${need}", which runs ${when} ("${stageName}"); needs may only name jobs of earlier stages`,
        path,
      );
    }
  }

  function checkFilter(filter: FilterConfig, owner: string, path: ConfigPath): void {
    for (const entry of filterEntries(filter, path)) {
      if (entry.kind === 'event') {
        if ((EVENT_KINDS as readonly string[]).includes(entry.value)) continue;
        const guess = suggest(entry.value, EVENT_KINDS);
        const hint = guess ? `did you mean "${guess}"?` : `events are ${EVENT_KINDS.join(', ')}`;
        report('invalid-event', `unknown event "${entry.value}" in ${owner}; ${hint}`, entry.path);
        continue;
      }
      if (isGitFlowClass(entry.value)) continue;
      const problem = regexProblem(entry.value);
      if (problem === null) continue;
      report(
        'invalid-filter',
        `${JSON.stringify(entry.value)} in ${owner} is neither a GitFlow class (${GITFLOW_CLASSES.join(', ')}) ` +
          `nor a valid regular expression: ${problem}`,
        entry.path,
      );
    }
  }
}

interface FilterEntry {
  kind: 'ref' | 'event';
  value: string;
  path: ConfigPath;
}

/** Every string of a filter, wherever it sits in the three accepted shapes. */
function filterEntries(filter: FilterConfig, path: ConfigPath): FilterEntry[] {
  const list = (
    value: string | string[] | undefined,
    kind: FilterEntry['kind'],
    at: ConfigPath,
  ): FilterEntry[] => {
    if (value === undefined) return [];
    if (typeof value === 'string') return [{ kind, value, path: at }];
    return value.map((v, k) => ({ kind, value: v, path: [...at, k] }));
  };
  if (typeof filter === 'string' || Array.isArray(filter)) return list(filter, 'ref', path);
  return [
    ...list(filter.branches, 'ref', [...path, 'branches']),
    ...list(filter.tags, 'ref', [...path, 'tags']),
    ...list(filter.events, 'event', [...path, 'events']),
  ];
}

/** Why the engine rejects `source` as a regular expression, or null when it compiles. */
function regexProblem(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (error) {
    // "Invalid regular expression: /[a/: Unterminated character class" → the last part.
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.slice(message.lastIndexOf(': ') + 2);
    return reason.charAt(0).toLowerCase() + reason.slice(1);
  }
}

/** Why a repository-relative path is not one (absolute, or `..` climbing out), or null. */
function workspacePathProblem(value: string): string | null {
  if (value.startsWith('/') || value.startsWith('\\') || /^[A-Za-z]:/.test(value)) {
    return `is an absolute path ("${value}"); give a path relative to the repository root`;
  }
  const segments = value.split(/[\\/]+/);
  let depth = 0;
  for (const segment of segments) {
    if (segment === '..') depth -= 1;
    else if (segment !== '.' && segment !== '') depth += 1;
    if (depth < 0) return `("${value}") leads outside the repository with ".."`;
  }
  return null;
}
