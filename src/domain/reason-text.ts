/**
 * A failure's, a skip's or a release's reason as a sentence, from its code and parameters and
 * the sentences of one language (reason-sentences.ts, release-reason-sentences.ts). Shared by
 * the web UI (which looks keys up in its catalogue) and the server's notifications (which look
 * them up in those data modules), so both say a reason the same way.
 *
 * Whatever cannot be said — an unknown code, a row stored before parameters existed, a
 * parameter a sentence needs that is missing — gives the stored English sentence: never a raw
 * key, never a `{placeholder}` left in the text.
 */
import type { ReasonParams, ReleaseReasonParams } from './reason-codes.js';

/** The text of `key` as written (placeholders unfilled), or null when the language has none. */
export type SentenceLookup = (key: string) => string | null;

/** Placeholder values; an undefined one counts as missing. */
type Vars = Record<string, string | number | undefined>;

export interface FailureLike {
  reason: string;
  message: string;
  params?: ReasonParams | undefined;
}

export interface SkipLike {
  code: string;
  message: string;
  params?: ReasonParams | undefined;
}

export interface ReleaseReasonLike {
  reason: string | null;
  reasonCode?: string | undefined;
  reasonParams?: ReleaseReasonParams | undefined;
}

/** `key`'s text with every `{name}` filled, or null when there is no text or a value is missing. */
export function sayKey(lookup: SentenceLookup, key: string, vars: Vars = {}): string | null {
  const text = lookup(key);
  if (text === null) return null;
  let missing = false;
  const said = text.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = vars[name];
    if (value === undefined) missing = true;
    return String(value);
  });
  return missing ? null : said;
}

/** "1 min 30 s" / "1 分钟 30 秒": the records table's rounding, in the lookup's language. */
export function sayDuration(lookup: SentenceLookup, ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const said =
    h > 0 ? sayKey(lookup, 'time.hm', { h, m }) : m > 0 ? sayKey(lookup, 'time.ms', { m, s }) : null;
  return said ?? sayKey(lookup, 'time.s', { s: total }) ?? `${total} s`;
}

/** The values a failure's sentence needs, or null when the stored row lacks them. */
function failureVars(f: FailureLike, lookup: SentenceLookup): Vars | null {
  const p = f.params ?? {};
  switch (f.reason) {
    case 'exit_code':
      return typeof p.code === 'number' ? { code: p.code } : null;
    case 'timeout':
      return typeof p.seconds === 'number' ? { duration: sayDuration(lookup, p.seconds * 1000) } : null;
    case 'image_not_found':
      return typeof p.image === 'string' && p.image !== '' ? { image: p.image } : null;
    case 'agent_lost':
      return {};
    case 'backend_error':
    case 'config_error':
      // The detail is the engine's or the config checker's own sentence (masked for secrets).
      return { detail: f.message };
    default:
      return null;
  }
}

/** A failure's full sentence, or null when it cannot be said in this language. */
function sayFailure(f: FailureLike, lookup: SentenceLookup): string | null {
  const vars = failureVars(f, lookup);
  return vars && sayKey(lookup, `reason.failure.${f.reason}`, vars);
}

/** A job's failure, or an earlier attempt's. */
export function failureSentence(f: FailureLike, lookup: SentenceLookup): string {
  return sayFailure(f, lookup) ?? f.message;
}

/** A run's failure: "Job “test” failed: exit code 2" when a job caused it. */
export function runFailureSentence(f: FailureLike, lookup: SentenceLookup): string {
  const job = f.params?.job;
  if (typeof job !== 'string') return failureSentence(f, lookup);
  const vars = failureVars(f, lookup);
  const why = vars && sayKey(lookup, `reason.short.${f.reason}`, vars);
  return (why && sayKey(lookup, 'reason.run.jobFailed', { job, why })) ?? f.message;
}

/** Why a job was not run. */
export function skipSentence(s: SkipLike, lookup: SentenceLookup): string {
  const p = s.params ?? {};
  switch (s.code) {
    case 'upstream_failed': {
      if (typeof p.cause === 'string')
        return sayKey(lookup, `reason.skip.upstream_failed.${p.cause}`) ?? s.message;
      if (typeof p.job !== 'string' || typeof p.state !== 'string') return s.message;
      const state = sayKey(lookup, `reason.state.${p.state}`);
      return (state && sayKey(lookup, 'reason.skip.upstream_failed', { job: p.job, state })) ?? s.message;
    }
    case 'needs_not_run':
      return typeof p.job === 'string'
        ? (sayKey(lookup, 'reason.skip.needs_not_run', { job: p.job }) ?? s.message)
        : s.message;
    case 'changes':
      return changesSentence(s, lookup) ?? s.message;
    default:
      return sayKey(lookup, `reason.skip.${s.code}`) ?? s.message;
  }
}

function changesSentence(s: SkipLike, lookup: SentenceLookup): string | null {
  const p = s.params;
  if (!p || !Array.isArray(p.globs) || !Array.isArray(p.files)) return null;
  const more = typeof p.more === 'number' ? p.more : 0;
  const list = p.files.join(', ');
  const files =
    p.files.length === 0
      ? sayKey(lookup, 'reason.files.none')
      : more > 0
        ? sayKey(lookup, 'reason.files.more', { files: list, more })
        : sayKey(lookup, 'reason.files.some', { files: list });
  if (files === null) return null;
  const vars = { globs: p.globs.join(', '), files };
  if (typeof p.baseRun === 'number') {
    return sayKey(lookup, 'reason.skip.changes.since', {
      ...vars,
      baseRun: p.baseRun,
      baseSha: String(p.baseSha ?? ''),
    });
  }
  return sayKey(lookup, 'reason.skip.changes', vars);
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '–');
const ms = (x: unknown) => (typeof x === 'number' ? `${Math.round(x)} ms` : '–');

/** A release's reason; its English `reason` when the code or a parameter it needs is missing. */
export function releaseReasonSentence(r: ReleaseReasonLike, lookup: SentenceLookup): string {
  const fallback = r.reason ?? '';
  const p = r.reasonParams ?? {};
  const say = (key: string, vars?: Vars) => sayKey(lookup, key, vars) ?? fallback;
  switch (r.reasonCode) {
    case 'canary_failed': {
      const check = String(p.check ?? 'worse_than_stable');
      return say('release.reason.canary_failed', {
        step: p.step,
        check: sayKey(lookup, `release.check.${check}`) ?? check,
        canaryErrorRate: pct(p.canaryErrorRate),
        stableErrorRate: pct(p.stableErrorRate),
        canaryP95: ms(p.canaryP95Ms),
        stableP95: ms(p.stableP95Ms),
      });
    }
    case 'canary_not_enough_requests':
      return say('release.reason.canary_not_enough_requests', {
        step: p.step,
        canaryRequests: p.canaryRequests,
        needed: p.needed,
      });
    case 'canary_needs_swarm_proxy':
      return say('release.reason.canary_needs_swarm_proxy');
    // The deploy job ended without deploying (server/deploys/release-job-reason.ts).
    case 'job_failed': {
      const why = sayFailure({ reason: String(p.failure), message: fallback, params: p }, lookup);
      return why === null ? fallback : say('release.reason.job_failed', { why });
    }
    case 'job_skipped':
      return skipSentence({ code: String(p.skip), message: fallback, params: p }, lookup);
    case undefined:
      return fallback;
    default: {
      // `release.why.<code>`, in its `.detail` form when the engine's words came along.
      const detailed =
        p.detail !== undefined && p.detail !== '' && lookup(`release.why.${r.reasonCode}.detail`) !== null;
      return say(`release.why.${r.reasonCode}${detailed ? '.detail' : ''}`, p);
    }
  }
}
