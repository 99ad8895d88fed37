import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './http.js';

/** Attempts after the first for a read that failed for a reason worth retrying. */
const MAX_RETRIES = 3;

/**
 * Whether a failed read may succeed if asked again: a dropped connection (fetch throws a
 * TypeError) or a server-side failure (5xx) may; a 4xx is the request's own fault (missing,
 * forbidden, invalid) and asking again only delays the message the user needs to see.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500;
  return true;
}

/**
 * The web app's one query cache, created by the app root (never at module level, so a test or a
 * second root gets its own). Live pages are kept fresh by the project event stream
 * (use-server-events.ts), so a short staleTime only spares the refetch when a page is reopened
 * at once; writes are never retried (a POST repeated behind the user's back is a second action).
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (failures, error) => failures < MAX_RETRIES && isRetryable(error),
        retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 8_000),
      },
      mutations: { retry: false },
    },
  });
}
