/**
 * The error taxonomy. Services throw these; only the HTTP edge (http/error-handler.ts) turns them
 * into status codes. Messages are shown to users as they are: say what is wrong and where, never
 * include secret values, never a stack.
 *   - user errors: invalid, not_found, conflict, unauthorized, forbidden, too_large, rate_limited
 *   - operational: unavailable (engine down…), database_unavailable (the database cannot be
 *     read or written: full or read-only disk, I/O error, server down) — retryable, 503
 * Anything else reaching the edge is a bug: logged with its stack, answered as a plain 500.
 */
import type { ErrorReason, ReasonParams } from '../api/reasons.js';

export type AppErrorCode =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'database_unavailable';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Where the problem is, e.g. `body.name` or `query.limit`. */
    readonly where?: string,
    /** A stable sub-code a client can branch on and translate, e.g. `upstream_failed` for a 409. */
    readonly reason?: ErrorReason,
    /** What the UI fills the reason's text with (`error.params`). */
    readonly params?: ReasonParams,
  ) {
    super(message);
  }
}

export const invalid = (where: string, message: string) => new AppError('invalid', message, where);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string, reason?: ErrorReason, params?: ReasonParams) =>
  new AppError('conflict', message, undefined, reason, params);
export const unauthorized = (message = 'sign in or send an API token') =>
  new AppError('unauthorized', message);
export const forbidden = (message: string, reason?: ErrorReason, params?: ReasonParams) =>
  new AppError('forbidden', message, undefined, reason, params);
export const unavailable = (message: string) => new AppError('unavailable', message);
export const databaseUnavailable = (message: string) => new AppError('database_unavailable', message);

export function httpStatus(code: AppErrorCode): number {
  switch (code) {
    case 'invalid':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'too_large':
      return 413;
    case 'rate_limited':
      return 429;
    case 'unavailable':
    case 'database_unavailable':
      return 503;
  }
}
