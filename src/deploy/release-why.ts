/**
 * Why a deploy step did not succeed, said twice: an English sentence (`reason`, for the API, the
 * CLI and the job log) and a stable code with parameters the web UI translates. Every failure a
 * target or the agent reports is built here so the two never drift apart.
 */
import type { ReleaseReason, ReleaseReasonParams } from '../domain/reason-codes.js';

export interface Why {
  reason: string;
  code: ReleaseReason;
  params: ReleaseReasonParams;
}

export function why(code: ReleaseReason, params: ReleaseReasonParams, reason: string): Why {
  return { reason, code, params };
}

/** The reason fields of anything carrying a Why (a health wait, an image check). */
export function whyOf(from: Why): Why {
  return { reason: from.reason, code: from.code, params: from.params };
}

/** `{detail}` only when there is one: an empty detail is left out so the UI says the short form. */
export function withDetail(
  params: ReleaseReasonParams,
  detail: string | undefined | null,
): ReleaseReasonParams {
  return detail ? { ...params, detail } : params;
}

export function nothingDeployedWhy(): Why {
  return why('nothing_deployed', {}, 'nothing is deployed in this environment');
}
