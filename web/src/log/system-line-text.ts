/**
 * What the log viewer shows for a line: a coded system line (src/domain/system-line-codes.ts)
 * in the reader's language, everything else as sent. A code this UI does not know, or params
 * that do not fit its sentence (a line from an older or newer agent), show the line's English
 * text: never a raw key.
 */
import { formatByteSize } from '../../../src/domain/byte-size.js';
import { FAILURE_REASONS, type FailureReason } from '../../../src/domain/status.js';
import { formatDuration } from '../i18n/format.js';
import { hasMessage, type TFunction } from '../i18n/index.js';
import { failureText } from '../pages/run/reason-text.js';
import type { LogLine } from './log-source.js';

type Vars = Record<string, string | number>;

/** The sentence's key and its filled placeholders, or null when the line cannot be translated. */
function keyAndVars(code: string, p: Vars, t: TFunction): { key: string; vars: Vars } | null {
  const num = (name: string) => (typeof p[name] === 'number' ? (p[name] as number) : null);
  const size = (name: string) => {
    const bytes = num(name);
    return bytes === null ? null : formatByteSize(bytes);
  };
  switch (code) {
    case 'retry.failure': {
      const reason = String(p.reason ?? '');
      const why = hasMessage(`syslog.why.${reason}`) ? translate(t, `syslog.why.${reason}`, {}) : reason;
      return { key: 'syslog.retry.failure', vars: { ...p, why } };
    }
    case 'image.pulled': {
      const ms = num('ms');
      return ms === null
        ? null
        : { key: 'syslog.image.pulled', vars: { ...p, duration: formatDuration(ms, t) } };
    }
    case 'after_script.timeout': {
      const ms = num('ms');
      return ms === null
        ? null
        : { key: 'syslog.after_script.timeout', vars: { duration: formatDuration(ms, t) } };
    }
    case 'artifacts.uploaded': {
      const [bytes, compressed] = [size('bytes'), size('compressed')];
      if (bytes === null || compressed === null) return null;
      const key = p.files === 1 ? 'syslog.artifacts.uploaded.one' : 'syslog.artifacts.uploaded';
      return { key, vars: { ...p, size: bytes, compressed } };
    }
    case 'job.failed':
      return failedLine(p, t);
    case 'secrets.missing':
      return { key: p.count === 1 ? 'syslog.secrets.missing.one' : 'syslog.secrets.missing', vars: p };
    case 'resources.limited':
      return { key: `syslog.resources.limited.${String(p.what)}`, vars: p };
    case 'cache.restored':
      return withSize(`syslog.cache.restored.${String(p.how)}`, p, size('bytes'));
    case 'cache.not_saved':
      return { key: `syslog.cache.not_saved.${String(p.cause)}`, vars: p };
    case 'changes.matched':
      return { key: num('more') ? 'syslog.changes.matched.more' : 'syslog.changes.matched', vars: p };
    case 'changes.no_base':
      return { key: p.branch ? 'syslog.changes.no_base.branch' : 'syslog.changes.no_base.ref', vars: p };
    case 'log.truncated':
    case 'cache.restored_fallback':
    case 'cache.restored_fallback_no_save':
    case 'cache.saved':
    case 'cache.remote_restored':
    case 'cache.remote_uploaded':
      return withSize(`syslog.${code}`, p, size('bytes'));
    default:
      return { key: `syslog.${code}`, vars: p };
  }
}

/**
 * The job's last line says its failure with the run page's failure sentences; a reason or
 * params those cannot say (an older or newer agent) leave the English text.
 */
function failedLine(p: Vars, t: TFunction): { key: string; vars: Vars } | null {
  const { reason, message, ...params } = p;
  if (typeof message !== 'string' || !(FAILURE_REASONS as readonly unknown[]).includes(reason)) return null;
  const why = failureText({ reason: reason as FailureReason, message, params }, t);
  return why === message ? null : { key: 'syslog.job.failed', vars: { why } };
}

function withSize(key: string, p: Vars, size: string | null): { key: string; vars: Vars } | null {
  return size === null ? null : { key, vars: { ...p, size } };
}

function translate(t: TFunction, key: string, vars: Vars): string {
  return (t as (k: string, v?: Vars) => string)(key, vars);
}

/** Every `{name}` the sentence uses has a value: otherwise the English text is the better line. */
function filled(t: TFunction, key: string, vars: Vars): boolean {
  const english = (t as (k: string) => string)(key);
  for (const [, name] of english.matchAll(/\{(\w+)\}/g)) if (vars[name as string] === undefined) return false;
  return true;
}

export function shownText(line: LogLine, t: TFunction): string {
  if (line.stream !== 'system' || line.code === undefined) return line.text;
  const found = keyAndVars(line.code, line.params ?? {}, t);
  if (!found || !hasMessage(found.key) || !filled(t, found.key, found.vars)) return line.text;
  return translate(t, found.key, found.vars);
}
