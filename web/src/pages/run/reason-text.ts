/**
 * A failure's or a skip's text in the reader's language, from the server's code and params
 * (src/api/reasons.ts). Rows stored before params existed, and codes this UI does not know,
 * show the server's English `message`: never a raw key.
 */
import type { FailureJson, ReasonParams, SkipJson } from '../../../../src/api/reasons.js';
import { formatDuration } from '../../i18n/format.js';
import { hasMessage, type TFunction } from '../../i18n/index.js';

type Vars = Record<string, string | number>;

/** `t(key, vars)`, or null when the key is unknown (t answers a missing key with the key). */
function known(t: TFunction, key: string, vars?: Vars): string | null {
  return hasMessage(key) ? (t as (k: string, v?: Vars) => string)(key, vars) : null;
}

/** Params as `{name}` values: lists joined, as the sentences expect. */
export function paramVars(params: ReasonParams | undefined): Vars {
  const vars: Vars = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    vars[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return vars;
}

/** The params a failure's sentence needs, or null when the stored row lacks them. */
function failureVars(f: FailureJson, t: TFunction): Vars | null {
  const p = f.params ?? {};
  switch (f.reason) {
    case 'exit_code':
      return typeof p.code === 'number' ? { code: p.code } : null;
    case 'timeout':
      return typeof p.seconds === 'number' ? { duration: formatDuration(p.seconds * 1000, t) } : null;
    case 'image_not_found':
      return typeof p.image === 'string' && p.image !== '' ? { image: p.image } : null;
    case 'agent_lost':
      return {};
    case 'backend_error':
    case 'config_error':
      // The detail is the engine's or the config checker's own sentence (masked for secrets).
      return { detail: f.message };
  }
}

/** A job's failure, or an earlier attempt's. */
export function failureText(f: FailureJson, t: TFunction): string {
  const vars = failureVars(f, t);
  return (vars && known(t, `reason.failure.${f.reason}`, vars)) ?? f.message;
}

/** A run's failure: "Job “test” failed: exit code 2" when a job caused it. */
export function runFailureText(f: FailureJson, t: TFunction): string {
  const job = f.params?.job;
  if (typeof job !== 'string') return failureText(f, t);
  const vars = failureVars(f, t);
  const why = vars ? known(t, `reason.short.${f.reason}`, vars) : null;
  return (why && known(t, 'reason.run.jobFailed', { job, why })) ?? f.message ?? f.reason;
}

export function skipText(s: SkipJson, t: TFunction): string {
  const p = s.params ?? {};
  switch (s.code) {
    case 'upstream_failed': {
      if (typeof p.cause === 'string') return known(t, `reason.skip.upstream_failed.${p.cause}`) ?? s.message;
      if (typeof p.job !== 'string' || typeof p.state !== 'string') return s.message;
      const state = known(t, `reason.state.${p.state}`);
      return (state && known(t, 'reason.skip.upstream_failed', { job: p.job, state })) ?? s.message;
    }
    case 'needs_not_run':
      return typeof p.job === 'string'
        ? (known(t, 'reason.skip.needs_not_run', { job: p.job }) ?? s.message)
        : s.message;
    case 'changes':
      return changesText(s, t);
    default:
      return known(t, `reason.skip.${s.code}`) ?? s.message;
  }
}

function changesText(s: SkipJson, t: TFunction): string {
  const p = s.params;
  if (!p || !Array.isArray(p.globs) || !Array.isArray(p.files)) return s.message;
  const more = typeof p.more === 'number' ? p.more : 0;
  const list = p.files.join(', ');
  const files =
    p.files.length === 0
      ? t('reason.files.none')
      : more > 0
        ? t('reason.files.more', { files: list, more })
        : t('reason.files.some', { files: list });
  const vars = { globs: p.globs.join(', '), files };
  if (typeof p.baseRun === 'number') {
    return (
      known(t, 'reason.skip.changes.since', {
        ...vars,
        baseRun: p.baseRun,
        baseSha: String(p.baseSha ?? ''),
      }) ?? s.message
    );
  }
  return known(t, 'reason.skip.changes', vars) ?? s.message;
}
