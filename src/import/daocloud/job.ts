/**
 * DaoCloud jobs → Slipway jobs: the test/default script job (v1's whole file, v2's `test:`,
 * v3's `job_type: test|default`), the image build, the lite (two-step) image build, and the
 * DCS deploy.
 */

import type { JobDraft, Scalar, ScriptLine } from '../draft.js';
import { lines } from '../draft.js';
import type { ImportOutcome, ReportParams } from '../report.js';
import { isRecord, type LineComments, stringList } from '../source.js';
import { EVENTS } from '../target.js';
import { envOf, officialImage, servicesOf } from './env-and-services.js';

export type Add = (key: string, outcome: ImportOutcome, code: string, params?: ReportParams) => void;

/** `image`, `services`, `env`, `install`, `before_script`, `script` of a script job. */
export function scriptJob(
  name: string,
  body: Record<string, unknown>,
  add: Add,
  scriptKey = 'script',
  commentsOf: (key: string) => LineComments[] | undefined = () => undefined,
): JobDraft {
  const job: JobDraft = { name };
  if (typeof body.image === 'string') {
    const official = officialImage(body.image);
    job.image = official ?? body.image;
    if (official) add('image', 'approximated', 'daocloud.image.official', { from: body.image, to: official });
    else add('image', 'translated', 'daocloud.image');
  }
  const envKey = body.env !== undefined ? 'env' : 'envs';
  const env = envOf(body[envKey]);
  if (body[envKey] !== undefined) {
    if (env.matrix) add(envKey, 'approximated', 'daocloud.env.matrix', { jobs: env.matrix.length });
    else add(envKey, 'translated', 'daocloud.env');
  }
  const variables: Record<string, Scalar> = { ...env.variables };
  if (env.matrix) job.parallelMatrix = env.matrix;
  if (body.services !== undefined) {
    const s = servicesOf(body.services, variables);
    if (Object.keys(s.services).length > 0) job.services = s.services;
    Object.assign(
      variables,
      Object.fromEntries(Object.entries(s.linkVariables).filter(([k]) => !(k in variables))),
    );
    if (s.unknown.length > 0)
      add('services', 'approximated', 'daocloud.services.unknown', { names: s.unknown.join(', ') });
    else if (Object.keys(s.services).length > 0)
      add('services', 'approximated', 'daocloud.services', { names: Object.keys(s.services).join(', ') });
    else add('services', 'translated', 'daocloud.services.none');
  }
  if (Object.keys(variables).length > 0) job.variables = variables;
  const before = [
    ...withComments(stringList(body.install) ?? [], commentsOf('install')),
    ...withComments(stringList(body.before_script) ?? [], commentsOf('before_script')),
  ];
  if (body.install !== undefined) add('install', 'translated', 'daocloud.install');
  if (body.before_script !== undefined) add('before_script', 'translated', 'daocloud.before_script');
  if (before.length > 0) job.beforeScript = before;
  const script = withComments(stringList(body[scriptKey]) ?? [], commentsOf(scriptKey)).filter(
    (l) => l.text.trim() !== '',
  );
  job.script = script.length > 0 ? script : lines(['true']);
  if (body[scriptKey] !== undefined)
    add(scriptKey, scriptKey === 'script' ? 'translated' : 'approximated', `daocloud.${scriptKey}`);
  else add('script', 'approximated', 'daocloud.script.none');
  return job;
}

function withComments(texts: string[], comments: LineComments[] | undefined): ScriptLine[] {
  const usable = comments && comments.length === texts.length ? comments : undefined;
  return texts.map((text, i) => ({ text, ...usable?.[i] }));
}

/** A Dockerfile path of DaoCloud (`/sub/Dockerfile`, from the repository root) as Slipway's. */
function workspacePath(path: unknown, fallback: string): string {
  const p = typeof path === 'string' ? path.replace(/^\/+/, '') : '';
  return p === '' ? fallback : p;
}

export function imageBuild(name: string, spec: Record<string, unknown>, add: Add, label?: unknown): JobDraft {
  const context = workspacePath(spec.build_dir, '.');
  const job: JobDraft = {
    name,
    build: {
      dockerfile: workspacePath(
        spec.dockerfile_path,
        context === '.' ? 'Dockerfile' : `${context}/Dockerfile`,
      ),
      context,
      ...(typeof spec.cache === 'boolean' ? { cache: spec.cache } : {}),
      ...(typeof label === 'string' ? { tags: [label] } : {}),
    },
  };
  add('dockerfile_path', 'translated', 'daocloud.image_build');
  return job;
}

/**
 * DaoCloud's lite build (安全构建): build a compile image, copy `extract` paths out of it, build
 * the package image with them. Here: a build job that is not pushed, a job running in that
 * image that copies the paths into the package build context, and the package build.
 */
export function liteBuild(name: string, spec: Record<string, unknown>, add: Add, index: number): JobDraft[] {
  const compile = isRecord(spec.compile) ? spec.compile : {};
  const pkg = isRecord(spec.package) ? spec.package : {};
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || `lite-${index}`;
  const compileImage = `${slug}-compile`;
  const compileJob = imageBuild(`${name}-compile`, compile, () => undefined);
  compileJob.build = { ...compileJob.build, image: compileImage, tags: ['latest'], push: false };
  const packageJob = imageBuild(name, pkg, () => undefined);
  const target = packageJob.build?.context ?? '.';
  const extract = stringList(spec.extract) ?? [];
  const extractJob: JobDraft = {
    name: `${name}-extract`,
    image: `${compileImage}:latest`,
    needs: [compileJob.name],
    script: lines([
      `mkdir -p ${quote(target)}`,
      ...extract.map((p) => `cp -a ${quote(p)} ${quote(target)}/`),
    ]),
  };
  packageJob.needs = [extractJob.name];
  add('job_type', 'translated', 'daocloud.lite', {
    job: name,
    compile: compileJob.name,
    extract: extractJob.name,
  });
  return [compileJob, extractJob, packageJob];
}

function quote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** v3 `only`/`except` ({branches, tags} of regexes) and `pull_request`. */
export function v3Filters(job: JobDraft, body: Record<string, unknown>, add: Add): void {
  for (const key of ['only', 'except'] as const) {
    const v = body[key];
    if (!isRecord(v)) continue;
    const branches = stringList(v.branches);
    const tags = stringList(v.tags);
    job[key] = { ...(branches ? { branches } : {}), ...(tags ? { tags } : {}) };
    add(key, 'translated', `daocloud.${key}`);
  }
  if (body.pull_request === false) {
    job.except = { events: [EVENTS.pullRequest] };
    if (isRecord(body.except)) add('pull_request', 'approximated', 'daocloud.pull_request.except');
    else add('pull_request', 'translated', 'daocloud.pull_request');
  } else if (body.pull_request !== undefined) add('pull_request', 'translated', 'daocloud.pull_request');
}
