/**
 * A failed request in the reader's language: `error.<reason>` filled with the answer's params
 * (src/api/reasons.ts), statuses in words; the server's English message when the answer has no
 * reason this UI knows. Never a raw key.
 */
import { ApiError } from '../api/http.js';
import type { TFunction } from '../i18n/index.js';
import './error-messages.js';

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
  const text = t(key, vars);
  // Unknown reason, or a sentence whose params the answer lacked: the server's own words.
  return text === key || /\{\w+\}/.test(text) ? error.message : text;
}

function word(t: TFunction, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}
