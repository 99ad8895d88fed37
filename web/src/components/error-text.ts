/**
 * A failed request in the reader's language: `error.<reason>` filled with the answer's params
 * (src/api/reasons.ts), statuses in words; the server's English message when the answer has no
 * reason this UI knows. Never a raw key.
 */
import { ApiError } from '../api/http.js';
import { hasMessage, type TFunction } from '../i18n/index.js';

const RELEASE_REASONS = new Set(['not_awaiting_approval', 'not_rollback_target']);

export function errorText(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (!error.reason) return error.message;
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(error.params ?? {})) {
    vars[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (typeof vars.status === 'string') {
    vars.status = word(t, RELEASE_REASONS.has(error.reason) ? 'error.releaseStatus' : 'status', vars.status);
  }
  if (typeof vars.state === 'string') vars.state = word(t, 'error.state', vars.state);
  const key = `error.${error.reason}`;
  if (!hasMessage(key)) return error.message;
  const text = untyped(t)(key, vars);
  // A sentence whose params the answer lacked: the server's own words.
  return /\{\w+\}/.test(text) ? error.message : text;
}

function word(t: TFunction, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return hasMessage(key) ? untyped(t)(key) : value;
}

/** `t` for keys built from codes, already checked with hasMessage. */
function untyped(t: TFunction): (key: string, vars?: Record<string, string | number>) => string {
  return t as (key: string, vars?: Record<string, string | number>) => string;
}
