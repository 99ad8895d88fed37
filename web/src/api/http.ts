/**
 * The one way the UI talks to the server. The session cookie travels on its own; writes must
 * echo the session's CSRF token (from POST /api/session or GET /api/me) in `X-CSRF-Token`, so
 * it is kept here and added to every unsafe request. Other pages (images, applications) import
 * `apiFetch` and `ApiError` from here.
 */

import type { ErrorJson, ReasonParams } from '../../../src/api/reasons.js';

let csrfToken: string | null = null;

/** Set after sign-in or /api/me; cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401, so the app can show the sign-in page again. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/**
 * A non-2xx answer, with the server's message (errors are `{ error: { code, message, where?,
 * reason?, params? } }`, src/api/reasons.ts). `reason` + `params` let ErrorNote say it in the
 * reader's language.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where?: string,
    readonly reason?: string,
    readonly params?: ReasonParams,
  ) {
    super(message);
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiInit extends Omit<RequestInit, 'body'> {
  /** Sent as JSON when it is not a string/FormData/Blob. */
  body?: unknown;
}

/**
 * Fetches `path` (e.g. `/api/projects`) and returns the parsed JSON (undefined for 204). Throws
 * ApiError with the server's message on non-2xx.
 */
export async function apiFetch<T = unknown>(path: string, init: ApiInit = {}): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === 'string' || init.body instanceof FormData || init.body instanceof Blob) {
      body = init.body;
    } else {
      body = JSON.stringify(init.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
  }
  if (UNSAFE.has(method) && csrfToken && !headers.has('x-csrf-token')) headers.set('x-csrf-token', csrfToken);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  const res = await fetch(path, { ...init, method, headers, body, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = (data as Partial<ErrorJson> | undefined)?.error;
    if (res.status === 401 && onUnauthorized && !path.startsWith('/api/session')) onUnauthorized();
    throw new ApiError(
      res.status,
      err?.code ?? 'http_error',
      err?.message ?? `${res.status} ${res.statusText || 'request failed'}`,
      err?.where,
      err?.reason,
      err?.params,
    );
  }
  return data as T;
}
