/**
 * GitLab job keys whose values have a structure of their own: services, variables, cache,
 * artifacts (with reports), retry, parallel:matrix.
 */
import { ENV_NAME, serviceHost } from '../common.js';
import type { ArtifactsDraft, CacheDraft, ReportsDraft, RetryDraft, Scalar, ServiceDraft } from '../draft.js';
import { isRecord, stringList } from '../source.js';
import { MAX_RETRIES } from '../target.js';
import type { JobReporter } from './context.js';

export function imageName(value: unknown, r: JobReporter, key = 'image'): string | undefined {
  if (typeof value === 'string') {
    r.ok(key, 'gitlab.image');
    return value;
  }
  if (isRecord(value) && typeof value.name === 'string') {
    // Slipway runs scripts with its own entrypoint, which is what `entrypoint: [""]` asks for.
    const cleared = Array.isArray(value.entrypoint) && value.entrypoint.every((e) => e === '');
    const extra = Object.keys(value).filter((k) => k !== 'name' && !(k === 'entrypoint' && cleared));
    if (extra.length > 0) r.approx(key, 'gitlab.image.options', { options: extra.join(', ') });
    else r.ok(key, 'gitlab.image');
    return value.name;
  }
  r.no(key, 'gitlab.value.invalid');
  return undefined;
}

export function services(value: unknown, r: JobReporter): Record<string, ServiceDraft> | undefined {
  const list = Array.isArray(value) ? value : [];
  const out: Record<string, ServiceDraft> = {};
  for (const item of list) {
    const image =
      typeof item === 'string' ? item : isRecord(item) && typeof item.name === 'string' ? item.name : null;
    if (!image) {
      r.no('services', 'gitlab.value.invalid');
      continue;
    }
    const spec = isRecord(item) ? item : {};
    const host =
      typeof spec.alias === 'string' ? (spec.alias.split(/[,\s]+/)[0] as string) : serviceHost(image);
    const service: ServiceDraft = { image };
    if (isRecord(spec.variables)) service.variables = stringMap(spec.variables);
    const command = stringList(spec.command);
    if (command) service.command = command;
    out[host] = service;
    const dropped = Object.keys(spec).filter((k) => !['name', 'alias', 'variables', 'command'].includes(k));
    if (/(^|\/)docker:.*dind/.test(image)) r.approx('services', 'gitlab.service.dind', { image });
    else if (dropped.length > 0)
      r.approx('services', 'gitlab.service.options', { image, options: dropped.join(', ') });
    else
      r.ok('services', typeof spec.alias === 'string' ? 'gitlab.service.alias' : 'gitlab.service', {
        image,
        host,
      });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function stringMap(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scalarText(v)]));
}

function scalarText(v: unknown): string {
  if (isRecord(v) && 'value' in v) return String(v.value ?? '');
  return v === null || v === undefined ? '' : String(v);
}

/** GitLab's variables: plain values, or `{value, description, options, expand}`. */
export function variables(
  value: unknown,
  onIssue: (code: string, params: Record<string, string>) => void,
): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  if (!isRecord(value)) return out;
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) {
      onIssue('gitlab.variables.name', { name });
      continue;
    }
    if (isRecord(v)) {
      out[name] = scalarText(v);
      if (v.expand === false) onIssue('gitlab.variables.expand', { name });
      continue;
    }
    out[name] = typeof v === 'number' || typeof v === 'boolean' ? v : scalarText(v);
  }
  return out;
}

export function cache(value: unknown, r: JobReporter): CacheDraft[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const out: CacheDraft[] = [];
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const paths = (stringList(entry.paths) ?? []).filter((p) => p !== '' && !p.split('/').includes('..'));
    if (paths.length === 0) {
      r.no('cache', entry.untracked ? 'gitlab.cache.untracked' : 'gitlab.cache.no-paths');
      continue;
    }
    const c: CacheDraft = { paths: paths.slice(0, 8) };
    if (typeof entry.key === 'string' || typeof entry.key === 'number') c.key = String(entry.key);
    else if (isRecord(entry.key)) {
      const files = stringList(entry.key.files);
      if (files)
        c.key = {
          files: files.slice(0, 10),
          ...(entry.key.prefix ? { prefix: String(entry.key.prefix) } : {}),
        };
    }
    if (entry.policy === 'pull' || entry.policy === 'push' || entry.policy === 'pull-push')
      c.policy = entry.policy;
    const fallback = stringList(entry.fallback_keys);
    if (fallback) c.fallbackKeys = fallback.slice(0, 5);
    if (entry.when === 'always') c.when = 'always';
    out.push(c);
    const dropped = Object.keys(entry).filter(
      (k) => !['key', 'paths', 'policy', 'fallback_keys', 'when'].includes(k),
    );
    if (entry.when === 'on_failure') dropped.push('when: on_failure');
    if (dropped.length > 0 || paths.length > 8)
      r.approx('cache', 'gitlab.cache.options', { options: dropped.join(', ') });
    else r.ok('cache', 'gitlab.cache');
  }
  return out.slice(0, 4).length > 0 ? out.slice(0, 4) : undefined;
}

/** Paths the artifacts key keeps: relative to the workspace (GitLab's are, by rule). */
function workspacePaths(list: string[] | undefined): string[] {
  return (list ?? []).filter((p) => p !== '' && !p.startsWith('/') && !p.split('/').includes('..'));
}

export function artifacts(
  value: unknown,
  r: JobReporter,
): { artifacts?: ArtifactsDraft; reports?: ReportsDraft } {
  if (!isRecord(value)) return {};
  const out: { artifacts?: ArtifactsDraft; reports?: ReportsDraft } = {};
  const paths = workspacePaths(stringList(value.paths));
  if (paths.length > 0) {
    const a: ArtifactsDraft = { paths };
    const exclude = workspacePaths(stringList(value.exclude));
    if (exclude.length > 0) a.exclude = exclude;
    if (typeof value.name === 'string') a.name = value.name.slice(0, 100);
    if (typeof value.expire_in === 'string') a.expireIn = value.expire_in;
    if (value.when === 'on_failure' || value.when === 'always' || value.when === 'on_success')
      a.when = value.when;
    out.artifacts = a;
    const dropped = Object.keys(value).filter(
      (k) => !['paths', 'exclude', 'name', 'expire_in', 'when', 'reports'].includes(k),
    );
    if (dropped.length > 0)
      r.approx('artifacts', 'gitlab.artifacts.options', { options: dropped.join(', ') });
    else r.ok('artifacts', 'gitlab.artifacts');
  } else if (value.paths !== undefined || value.untracked) {
    r.no('artifacts', value.untracked ? 'gitlab.artifacts.untracked' : 'gitlab.artifacts.absolute');
  }
  if (isRecord(value.reports)) {
    const reports: ReportsDraft = {};
    for (const [kind, v] of Object.entries(value.reports)) {
      if (kind === 'junit') {
        reports.junit = stringList(v);
        r.add('artifacts', 'translated', 'gitlab.reports.junit', {}, 'artifacts:reports:junit');
      } else if (
        kind === 'coverage_report' &&
        isRecord(v) &&
        v.coverage_format === 'cobertura' &&
        typeof v.path === 'string'
      ) {
        reports.coverage = { cobertura: v.path };
        r.add('artifacts', 'translated', 'gitlab.reports.cobertura', {}, 'artifacts:reports:coverage_report');
      } else {
        r.add('artifacts', 'untranslatable', 'gitlab.reports.kind', { kind }, `artifacts:reports:${kind}`);
      }
    }
    if (Object.keys(reports).length > 0) out.reports = reports;
  }
  return out;
}

const RETRY_WHEN = new Set([
  'always',
  'script_failure',
  'job_execution_timeout',
  'stuck_or_timeout_failure',
  'runner_system_failure',
  'unknown_failure',
]);

export function retry(value: unknown, r: JobReporter): number | RetryDraft | undefined {
  if (typeof value === 'number') {
    r.ok('retry', 'gitlab.retry');
    return Math.min(value, MAX_RETRIES);
  }
  if (!isRecord(value)) {
    r.no('retry', 'gitlab.value.invalid');
    return undefined;
  }
  const out: RetryDraft = {};
  if (typeof value.max === 'number') out.max = Math.min(value.max, MAX_RETRIES);
  const when = stringList(value.when) ?? [];
  const kept = when.filter((w) => RETRY_WHEN.has(w));
  if (kept.length > 0) out.when = kept;
  const codes =
    value.exit_codes === undefined
      ? []
      : (Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes]).map(Number);
  if (codes.length > 0) out.exitCodes = codes;
  const dropped = when.filter((w) => !RETRY_WHEN.has(w));
  if (dropped.length > 0) r.approx('retry', 'gitlab.retry.when', { reasons: dropped.join(', ') });
  else r.ok('retry', 'gitlab.retry');
  return out;
}

export function matrix(value: unknown, r: JobReporter): Record<string, Scalar[]>[] | undefined {
  if (typeof value === 'number') {
    r.no('parallel', 'gitlab.parallel.count', { count: value });
    return undefined;
  }
  if (!isRecord(value) || !Array.isArray(value.matrix)) {
    r.no('parallel', 'gitlab.value.invalid');
    return undefined;
  }
  const sets = value.matrix
    .filter(isRecord)
    .map((set) =>
      Object.fromEntries(
        Object.entries(set).map(([k, v]) => [
          k,
          (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'object' ? String(x) : (x as Scalar))),
        ]),
      ),
    );
  r.ok('parallel', 'gitlab.parallel.matrix');
  return sets;
}
