/**
 * `$VAR` in the places Slipway expands (image, services, build, variable values; see
 * domain/expand-variables.ts and runtime/expand-job.ts): a name that is neither a standard
 * variable nor one of the pipeline's or job's variables is left as written when the job runs,
 * which is almost always a typo — a warning with a "did you mean". A secret's name is an error:
 * secrets are never expanded outside the script, where the image name or a tag would leak them.
 * Also: two names whose ASCII slugs collide (containers and variables would clash).
 */
import { variableReferences } from '../../domain/expand-variables.js';
import { nameSlug } from '../../domain/name-slug.js';
import { STANDARD_VARIABLES } from '../../domain/standard-variables.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import { type ConfigPath, formatPath, type Locator } from './locate.js';
import type { JobConfig, PipelineConfig } from './schema.js';
import { suggest } from './suggest.js';

type Scalar = string | number | boolean;

export function checkVariables(config: PipelineConfig, locate: Locator, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: string, message: string, path: ConfigPath, severity: Severity) => {
    const { line, col, file: at = file } = locate(path, 'value');
    out.push({ code, message, severity, file: at, line, col, path: formatPath(path) });
  };
  const topNames = [
    ...STANDARD_VARIABLES,
    ...Object.keys(config.env ?? {}),
    ...Object.keys(config.variables ?? {}),
  ];

  /** `strict`: every unknown name is reported; else only likely typos (values a shell may read). */
  const check = (
    text: Scalar | undefined,
    path: ConfigPath,
    where: string,
    visible: readonly string[],
    secrets: readonly string[],
    strict: boolean,
  ) => {
    if (typeof text !== 'string') return;
    for (const { name } of variableReferences(text)) {
      if (visible.includes(name)) continue;
      if (secrets.includes(name)) {
        report(
          'secret-expansion',
          `$${name} in ${where} names a secret; secrets are only given to the script, never expanded into ${where}`,
          path,
          'error',
        );
        continue;
      }
      const guess = suggest(name, visible);
      if (!strict && guess === null && !/^(CI|SLIPWAY)_/.test(name)) continue;
      const hint = guess ? `; did you mean $${guess}?` : '';
      report(
        'unknown-variable',
        `$${name} in ${where} is not a known variable, so it is kept as written${hint}`,
        path,
        'warning',
      );
    }
  };
  const checkMap = (
    map: Record<string, Scalar> | undefined,
    base: ConfigPath,
    where: string,
    visible: readonly string[],
    secrets: readonly string[],
    strict: boolean,
  ) => {
    for (const [key, value] of Object.entries(map ?? {}))
      check(value, [...base, key], `${where} ${key}`, visible, secrets, strict);
  };

  check(config.image, ['image'], 'the top-level image', topNames, [], true);
  checkMap(config.env, ['env'], 'variable', topNames, [], false);
  checkMap(config.variables, ['variables'], 'variable', topNames, [], false);

  const slugs = new Map<string, string>();
  config.stages.forEach((stage, s) => {
    for (const [name, job] of Object.entries(stage.jobs)) {
      const path = ['stages', s, 'jobs', name];
      checkJob(name, job, path);
      const slug = nameSlug(name);
      const other = slugs.get(slug);
      if (other !== undefined && other !== name) {
        const { line, col, file: at = file } = locate(path, 'key');
        out.push({
          code: 'name-slug-clash',
          message: `jobs "${other}" and "${name}" have the same ASCII name "${slug}"; rename one of them`,
          severity: 'error',
          file: at,
          line,
          col,
          path: formatPath(path),
        });
      }
      slugs.set(slug, name);
    }
  });
  return out;

  function checkJob(name: string, job: JobConfig, path: ConfigPath): void {
    const visible = [...topNames, ...Object.keys(job.env ?? {}), ...Object.keys(job.variables ?? {})];
    const secrets = job.secrets ?? [];
    const of = `of job "${name}"`;
    check(job.image, [...path, 'image'], `the image ${of}`, visible, secrets, true);
    checkMap(job.env, [...path, 'env'], `variable ${of}:`, visible, secrets, false);
    checkMap(job.variables, [...path, 'variables'], `variable ${of}:`, visible, secrets, false);
    for (const [service, spec] of Object.entries(job.services ?? {})) {
      const at = [...path, 'services', service];
      if (typeof spec === 'string') check(spec, at, `service ${service} ${of}`, visible, secrets, true);
      else {
        check(spec.image, [...at, 'image'], `service ${service} ${of}`, visible, secrets, true);
        checkMap(spec.env, [...at, 'env'], `service ${service} ${of}, variable`, visible, secrets, false);
      }
    }
    const build = job.build;
    if (build) {
      const at = [...path, 'build'];
      for (const key of ['dockerfile', 'context', 'target', 'image'] as const) {
        check(build[key], [...at, key], `build.${key} ${of}`, visible, secrets, true);
      }
      build.tags?.forEach((tag, k) => {
        check(tag, [...at, 'tags', k], `build.tags ${of}`, visible, secrets, true);
      });
      checkMap(build.args, [...at, 'args'], `build.args ${of}:`, visible, secrets, true);
    }
    check(job.deploy?.image, [...path, 'deploy', 'image'], `deploy.image ${of}`, visible, secrets, true);
  }
}
