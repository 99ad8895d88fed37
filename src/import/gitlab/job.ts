/**
 * One resolved GitLab job → a Slipway job. Every key the job has (its own, from a template or
 * from `default:`) is reported once: translated, approximated or untranslatable.
 */
import { duration } from '../common.js';
import type { FilterDraft, JobDraft, ScriptLine } from '../draft.js';
import { isRecord, type LineComments, stringList } from '../source.js';
import { type Alternative, parseIf, refsToAlternatives, toFilter } from './conditions.js';
import type { JobReporter } from './context.js';
import { artifacts, cache, imageName, matrix, retry, services, variables } from './keys.js';

/** Keys read elsewhere (placement, reuse) and reported there. */
const HANDLED_ELSEWHERE = new Set(['stage', 'extends', 'inherit']);

export interface JobResult {
  job: JobDraft | null;
  stage: string;
}

export function translateJob(
  name: string,
  body: Record<string, unknown>,
  r: JobReporter,
  commentsOf: (key: string) => LineComments[] | undefined,
): JobResult {
  const job: JobDraft = { name };
  const stage = typeof body.stage === 'string' ? body.stage : 'test';
  const gitVariables: Record<string, string> = {};
  if (body.stage !== undefined) r.ok('stage', 'gitlab.stage');
  if (body.extends !== undefined) r.ok('extends', 'gitlab.extends');
  if (body.inherit !== undefined) r.ok('inherit', 'gitlab.inherit');

  if (body.trigger !== undefined) {
    r.no('trigger', 'gitlab.trigger');
    return { job: null, stage };
  }
  if (body.script === undefined) {
    r.no('script', 'gitlab.job.no-script');
    return { job: null, stage };
  }

  for (const [key, value] of Object.entries(body)) {
    if (HANDLED_ELSEWHERE.has(key)) continue;
    switch (key) {
      case 'script':
      case 'before_script':
      case 'after_script': {
        const lines = scriptLines(value, commentsOf(key));
        if (key === 'script') job.script = lines;
        else if (key === 'before_script') job.beforeScript = lines;
        else job.afterScript = lines;
        r.ok(key, `gitlab.${key}`);
        break;
      }
      case 'image':
        job.image = imageName(value, r);
        break;
      case 'services':
        job.services = services(value, r);
        break;
      case 'variables': {
        const vars = variables(value, (code, params) => r.approx('variables', code, params));
        for (const git of [
          'GIT_DEPTH',
          'GIT_SUBMODULE_STRATEGY',
          'GIT_STRATEGY',
          'GIT_CLONE_PATH',
          'GIT_SUBMODULE_DEPTH',
        ]) {
          if (git in vars) {
            gitVariables[git] = String(vars[git]);
            delete vars[git];
          }
        }
        if (Object.keys(vars).length > 0) job.variables = vars;
        if (Object.keys(gitVariables).length > 0)
          r.approx('variables', 'gitlab.variables.git-job', { names: Object.keys(gitVariables).join(', ') });
        else r.ok('variables', 'gitlab.variables');
        break;
      }
      case 'rules':
        applyRules(job, value, r);
        break;
      case 'only':
      case 'except':
        applyOnlyExcept(job, key, value, r);
        break;
      case 'needs': {
        const list = Array.isArray(value) ? value : [];
        const names = list.map((n) =>
          typeof n === 'string' ? n : isRecord(n) && typeof n.job === 'string' ? n.job : null,
        );
        if (names.some((n) => n === null)) r.no('needs', 'gitlab.needs.pipeline');
        job.needs = names.filter((n): n is string => n !== null);
        if (!names.some((n) => n === null)) r.ok('needs', 'gitlab.needs');
        break;
      }
      case 'dependencies':
        r.approx('dependencies', 'gitlab.dependencies');
        break;
      case 'when':
        applyWhen(job, value, r);
        break;
      case 'start_in':
        break;
      case 'allow_failure':
        if (typeof value === 'boolean') {
          job.allowFailure = value;
          r.ok(key, 'gitlab.allow_failure');
        } else if (isRecord(value) && value.exit_codes !== undefined) {
          job.allowFailure = {
            exitCodes: (Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes]).map(Number),
          };
          r.ok(key, 'gitlab.allow_failure.exit_codes');
        } else r.no(key, 'gitlab.value.invalid');
        break;
      case 'retry':
        job.retry = retry(value, r);
        break;
      case 'timeout': {
        const d = typeof value === 'string' ? duration(value) : null;
        if (d) {
          job.timeout = d;
          r.ok(key, 'gitlab.timeout');
        } else r.no(key, 'gitlab.value.invalid');
        break;
      }
      case 'interruptible':
        job.interruptible = value === true;
        r.ok(key, 'gitlab.interruptible');
        break;
      case 'tags': {
        const tags = stringList(value) ?? [];
        job.runsOn = Object.fromEntries(tags.map((t) => labelOf(t)));
        r.approx(key, 'gitlab.tags', { tags: tags.join(', ') });
        break;
      }
      case 'cache':
        job.cache = cache(value, r);
        break;
      case 'artifacts': {
        const a = artifacts(value, r);
        job.artifacts = a.artifacts;
        job.reports = a.reports ? { ...job.reports, ...a.reports } : job.reports;
        break;
      }
      case 'coverage': {
        const m = typeof value === 'string' ? /^\/(.*)\/$/s.exec(value) : null;
        if (m) {
          job.reports = { ...job.reports, coverage: job.reports?.coverage ?? { regex: m[1] as string } };
          r.ok(key, 'gitlab.coverage');
        } else r.no(key, 'gitlab.value.invalid');
        break;
      }
      case 'parallel':
        job.parallelMatrix = matrix(value, r);
        break;
      case 'environment': {
        const env = typeof value === 'string' ? { name: value } : isRecord(value) ? value : {};
        r.approx(key, 'gitlab.environment', { environment: String(env.name ?? '') });
        break;
      }
      case 'resource_group':
        r.no(key, 'gitlab.resource_group');
        break;
      case 'release':
        r.no(key, 'gitlab.release');
        break;
      default:
        r.no(key, 'gitlab.key.unknown', { key });
    }
  }
  if (name === 'pages') r.approx('script', 'gitlab.pages');
  return { job, stage };
}

/** Script lines, with the comments they had when the list is written as is in the job. */
function scriptLines(value: unknown, comments: LineComments[] | undefined): ScriptLine[] {
  const texts = stringList(value) ?? [];
  const usable = comments && comments.length === texts.length ? comments : undefined;
  return texts.map((text, i) => ({ text, ...usable?.[i] }));
}

/** GitLab tags are free words or `key:value`; Slipway labels are key: value. */
function labelOf(tag: string): [string, string | boolean] {
  const m = /^([A-Za-z0-9_./-]+)[:=]([A-Za-z0-9_./-]+)$/.exec(tag);
  if (m) return [m[1] as string, m[2] as string];
  return [tag.replace(/[^A-Za-z0-9_./-]/g, '-'), true];
}

function applyWhen(job: JobDraft, value: unknown, r: JobReporter): void {
  if (
    value === 'on_success' ||
    value === 'on_failure' ||
    value === 'always' ||
    value === 'manual' ||
    value === 'never'
  ) {
    job.when = value;
    r.ok('when', 'gitlab.when', { when: value });
  } else if (value === 'delayed') {
    r.approx('when', 'gitlab.when.delayed');
  } else r.no('when', 'gitlab.value.invalid');
}

function applyOnlyExcept(job: JobDraft, key: 'only' | 'except', value: unknown, r: JobReporter): void {
  const spec = isRecord(value) ? value : { refs: value };
  const refs = stringList(spec.refs);
  if (refs) {
    const { alternatives, unknown } = refsToAlternatives(refs);
    const { filter, approx } = toFilter(alternatives);
    if (filter) job[key] = filter;
    if (unknown.length > 0) r.approx(key, 'gitlab.only.refs-unknown', { refs: unknown.join(', ') });
    else if (approx.length > 0) r.approx(key, approx[0] as string);
    else r.ok(key, `gitlab.${key}`);
  }
  const changes = stringList(isRecord(spec.changes) ? spec.changes.paths : spec.changes);
  if (changes) {
    if (key === 'only') {
      job.changes = changes;
      r.ok(key, 'gitlab.changes');
    } else r.no(key, 'gitlab.except.changes');
  }
  if (spec.variables !== undefined) r.no(key, 'gitlab.only.variables');
  if (spec.kubernetes !== undefined) r.no(key, 'gitlab.only.kubernetes');
}

/**
 * `rules:` evaluated top to bottom, first match wins. Leading `when: never` rules become
 * `except`, the rules that add the job become `only`; a final rule without `if` adds the job
 * in every other case.
 */
export function applyRules(
  target: {
    only?: FilterDraft;
    except?: FilterDraft;
    changes?: string[];
    when?: JobDraft['when'];
    allowFailure?: JobDraft['allowFailure'];
    variables?: JobDraft['variables'];
  },
  value: unknown,
  r: {
    ok(key: string, code: string, params?: Record<string, string | number>): void;
    approx(key: string, code: string, params?: Record<string, string | number>): void;
    no(key: string, code: string, params?: Record<string, string | number>): void;
  },
  key = 'rules',
  manualWhenUnknown = true,
): void {
  const rules = Array.isArray(value) ? value.filter(isRecord) : [];
  const include: Alternative[] = [];
  const exclude: Alternative[] = [];
  const approx: string[] = [];
  let catchAll = false;
  let seenInclude = false;
  let unknownInclude = false;
  const whens = new Set<string>();
  for (const [index, rule] of rules.entries()) {
    const at = `${key}.${index}`;
    const when = typeof rule.when === 'string' ? rule.when : 'on_success';
    if (rule.exists !== undefined) {
      r.no(at, 'gitlab.rules.exists');
      continue;
    }
    const changes = stringList(isRecord(rule.changes) ? rule.changes.paths : rule.changes);
    if (changes) {
      if (when === 'never') r.no(at, 'gitlab.rules.changes-never');
      else {
        target.changes = [...(target.changes ?? []), ...changes];
        if (rule.if !== undefined || rules.length > 1) approx.push('gitlab.rules.changes-and');
      }
    }
    if (isRecord(rule.variables)) {
      target.variables = {
        ...target.variables,
        ...Object.fromEntries(Object.entries(rule.variables).map(([k, v]) => [k, String(v)])),
      };
      approx.push('gitlab.rules.variables');
    }
    if (rule.allow_failure !== undefined) target.allowFailure = rule.allow_failure === true;
    if (rule.if === undefined) {
      if (when !== 'never') {
        catchAll = true;
        whens.add(when);
      }
      continue;
    }
    const parsed = parseIf(String(rule.if));
    if (!parsed.ok) {
      // A job added only under a condition Slipway cannot test must not start on every push
      // (a production deploy guarded by a variable): it waits to be started by hand instead.
      const guarded = manualWhenUnknown && when !== 'never';
      if (guarded) {
        whens.add('manual');
        unknownInclude = true;
      }
      r.no(at, guarded ? 'gitlab.rules.if-manual' : 'gitlab.rules.if', {
        expression: String(rule.if),
        reason: parsed.reason,
      });
      continue;
    }
    if (when === 'never') {
      if (seenInclude) approx.push('gitlab.rules.order');
      exclude.push(...parsed.alternatives);
    } else {
      seenInclude = true;
      include.push(...parsed.alternatives);
      whens.add(when);
    }
  }
  if (!catchAll && include.length > 0 && !unknownInclude) {
    const { filter, approx: a } = toFilter(include);
    if (filter) target.only = filter;
    approx.push(...a);
  }
  if (exclude.length > 0) {
    const { filter, approx: a } = toFilter(exclude);
    if (filter) target.except = filter;
    approx.push(...a);
  }
  if (whens.has('manual')) target.when = 'manual';
  else if (whens.has('always')) target.when = 'always';
  if (whens.size > 1 && !unknownInclude) approx.push('gitlab.rules.mixed-when');
  if (approx.length > 0) r.approx(key, approx[0] as string);
  else if (rules.length > 0) r.ok(key, 'gitlab.rules');
}
