/**
 * `daocloud.yml` → PipelineDraft + report. Three generations of the format:
 * v1 (no `version`): one test job made of the whole file;
 * v2 (`version: 2.0`): `test:` and `build: {image | lite_image}`;
 * v3 (`version: 3`): `stages:` and jobs with `job_type`.
 */
import { splitStagesByNeeds } from '../common.js';
import type { JobDraft, PipelineDraft, StageDraft } from '../draft.js';
import type { ReportBuilder } from '../report.js';
import {
  commentAbove,
  headerComment,
  isRecord,
  lineOf,
  type SourceFile,
  seqComments,
  stringList,
} from '../source.js';
import { deployJob } from './deploy.js';
import { type Add, imageBuild, liteBuild, scriptJob, v3Filters } from './job.js';

const V1_KEYS = new Set(['image', 'services', 'env', 'install', 'before_script', 'script']);
const V3_JOB_KEYS = new Set([
  'stage',
  'job_type',
  'only',
  'except',
  'pull_request',
  'allow_failure',
  'dependencies',
  'label',
  'build_dir',
  'cache',
  'dockerfile_path',
  'compile',
  'extract',
  'package',
  'image',
  'services',
  'env',
  'envs',
  'install',
  'before_script',
  'script',
  'scripts',
  'name',
  'context',
  'app_name',
  'app',
  'release_name',
]);

export function translateDaocloud(files: readonly SourceFile[], report: ReportBuilder): PipelineDraft {
  const src = files.find((f) => /daocloud/i.test(f.path)) ?? (files[0] as SourceFile);
  const value = isRecord(src.value) ? src.value : {};
  const version = Number.parseFloat(String(value.version ?? '1'));
  const adder =
    (owner: (string | number)[], job?: string): Add =>
    (key, outcome, code, params = {}) =>
      report.add({
        file: src.path,
        line: lineOf(src, [...owner, key]),
        construct: key,
        ...(job ? { job } : {}),
        outcome,
        code,
        params: job ? { job, ...params } : params,
      });
  const top = adder([]);
  if (value.version !== undefined)
    top('version', 'translated', 'daocloud.version', { version: String(value.version) });

  let stages: StageDraft[];
  const draft: PipelineDraft = { stages: [] };
  if (version >= 3 || Array.isArray(value.stages)) stages = v3(src, value, draft, report, adder);
  else if (version >= 2) stages = v2(value, adder);
  else {
    const job = scriptJob('test', value, top, 'script', (key) => seqComments(src, [key]));
    for (const key of Object.keys(value))
      if (!V1_KEYS.has(key) && key !== 'version') top(key, 'untranslatable', 'daocloud.key.unknown', { key });
    stages = [{ name: 'test', jobs: [job] }];
  }
  draft.stages = splitStagesByNeeds(stages, report, src.path, (job) => lineOf(src, [job]));
  const header = headerComment(src);
  draft.header = [` Imported from ${src.path} by \`slipway import\`; check the import report.`, header]
    .filter(Boolean)
    .join('\n\n');
  return draft;
}

function v2(
  value: Record<string, unknown>,
  adder: (owner: (string | number)[], job?: string) => Add,
): StageDraft[] {
  const stages: StageDraft[] = [];
  const top = adder([]);
  for (const key of Object.keys(value))
    if (!['version', 'test', 'build'].includes(key))
      top(key, 'untranslatable', 'daocloud.key.unknown', { key });
  if (isRecord(value.test)) {
    const add = adder(['test'], 'test');
    stages.push({ name: 'test', jobs: [scriptJob('test', value.test, add)] });
    for (const key of Object.keys(value.test))
      if (!V1_KEYS.has(key)) add(key, 'untranslatable', 'daocloud.key.unknown', { key });
  }
  if (isRecord(value.build)) {
    const jobs: JobDraft[] = [];
    if (isRecord(value.build.image))
      jobs.push(imageBuild('build', value.build.image, adder(['build', 'image'], 'build')));
    if (isRecord(value.build.lite_image))
      jobs.push(...liteBuild('build', value.build.lite_image, adder(['build', 'lite_image'], 'build'), 0));
    for (const key of Object.keys(value.build))
      if (!['image', 'lite_image'].includes(key))
        adder(['build'])(key, 'untranslatable', 'daocloud.key.unknown', { key });
    if (jobs.length > 0) stages.push({ name: 'build', jobs });
  }
  return stages;
}

function v3(
  src: SourceFile,
  value: Record<string, unknown>,
  draft: PipelineDraft,
  report: ReportBuilder,
  adder: (owner: (string | number)[], job?: string) => Add,
): StageDraft[] {
  const top = adder([]);
  const stageNames = stringList(value.stages) ?? [];
  if (value.stages !== undefined) top('stages', 'translated', 'daocloud.stages');
  if (typeof value.image === 'string') {
    draft.image = value.image;
    top('image', 'translated', 'daocloud.image');
  }
  const byStage = new Map<string, JobDraft[]>(stageNames.map((s) => [s, []]));
  let index = 0;
  for (const [name, body] of Object.entries(value)) {
    if (['version', 'stages', 'image'].includes(name)) continue;
    if (!isRecord(body)) {
      top(name, 'untranslatable', 'daocloud.key.unknown', { key: name });
      continue;
    }
    const add = adder([name], name);
    const type = String(body.job_type ?? 'default');
    let jobs: JobDraft[];
    if (type === 'image_build') {
      jobs = [imageBuild(name, body, add, body.label)];
      add('job_type', 'translated', 'daocloud.job_type', { type });
      if (body.label !== undefined) add('label', 'translated', 'daocloud.label');
      if (body.cache !== undefined) add('cache', 'translated', 'daocloud.build.cache');
      if (body.build_dir !== undefined) add('build_dir', 'translated', 'daocloud.build_dir');
    } else if (type === 'lite_image_build') {
      jobs = liteBuild(name, body, add, index);
      for (const key of ['compile', 'extract', 'package'])
        if (body[key] !== undefined) add(key, 'translated', `daocloud.lite.${key}`);
    } else if (type === 'DCS_deploy' || type === 'dcs_deploy') {
      jobs = [deployJob(name, body, add)];
    } else {
      const scriptKey = body.script === undefined && body.scripts !== undefined ? 'scripts' : 'script';
      jobs = [scriptJob(name, body, add, scriptKey, (key) => seqComments(src, [name, key]))];
      if (type === 'default' || type === 'test') add('job_type', 'translated', 'daocloud.job_type', { type });
      else add('job_type', 'approximated', 'daocloud.job_type.other', { type });
    }
    for (const j of jobs) {
      if (j.script && !j.image && typeof value.image !== 'string') {
        j.image = 'ubuntu:16.04';
        add('job_type', 'approximated', 'daocloud.image.default', { image: j.image });
      }
    }
    const main = jobs[jobs.length - 1] as JobDraft;
    const first = jobs[0] as JobDraft;
    main.comment = commentAbove(src, name);
    v3Filters(first, body, add);
    if (jobs.length > 1)
      for (const j of jobs.slice(1)) Object.assign(j, { only: first.only, except: first.except });
    if (typeof body.allow_failure === 'boolean') {
      for (const j of jobs) j.allowFailure = body.allow_failure;
      add('allow_failure', 'translated', 'daocloud.allow_failure');
    }
    const deps = stringList(body.dependencies);
    if (deps) {
      first.needs = [...(first.needs ?? []), ...deps.map((d) => lastJobName(value, d))];
      add('dependencies', 'translated', 'daocloud.dependencies');
    }
    for (const key of ['stage', 'name', 'context'])
      if (body[key] !== undefined) add(key, 'translated', `daocloud.${key}`);
    for (const key of Object.keys(body))
      if (!V3_JOB_KEYS.has(key)) add(key, 'untranslatable', 'daocloud.key.unknown', { key });
    const stage = typeof body.stage === 'string' ? body.stage : (stageNames[0] ?? 'default');
    if (!byStage.has(stage)) byStage.set(stage, []);
    byStage.get(stage)?.push(...jobs);
    index += 1;
  }
  void report;
  return [...byStage].filter(([, jobs]) => jobs.length > 0).map(([name, jobs]) => ({ name, jobs }));
}

/** A lite build is three jobs; whoever depends on it needs the last (the package build): same name. */
function lastJobName(_value: Record<string, unknown>, name: string): string {
  return name;
}
