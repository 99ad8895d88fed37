import { type CancelReason, cancelReasonSchema } from '../../api/runs.js';

/**
 * Why a run was canceled, with what the UI needs to say it in the reader's language: a user
 * clicked Cancel (or deleted the project), or a newer run of the same branch or pull request
 * superseded it (`by` is that run's number). Stored as JSON in `runs.cancel_reason`; the first
 * reason wins — a run the user already canceled is not "superseded" a moment later. The shape
 * is the API's (src/api/runs.ts).
 */
export { type CancelReason, cancelReasonSchema };

/** The stored reason, or null (none, from before migration 014, or not readable). */
export function parseCancelReason(text: string | null | undefined): CancelReason | null {
  if (!text) return null;
  try {
    const parsed = cancelReasonSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The sentence stored on jobs a cancel skipped (the log and the CLI show it as is). */
export function cancelSentence(reason: CancelReason): string {
  return reason.code === 'superseded'
    ? `the run was superseded by #${reason.by}`
    : `the run was canceled by ${reason.actor}`;
}
