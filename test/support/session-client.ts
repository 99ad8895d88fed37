import type { TestServer } from './server.js';

/** A browser-like client: signs in with a password and then sends the session cookie. */
export interface SessionClient {
  cookie: string;
  csrfToken: string;
  /** The raw Set-Cookie header of the sign-in answer. */
  setCookie: string;
  /** fetch with the cookie only (no bearer token); `csrf: true` adds X-CSRF-Token. */
  fetch: (path: string, init?: RequestInit & { csrf?: boolean }) => Promise<Response>;
}

/** Creates a user through the admin API (so with a real password hash). */
export async function createUser(
  t: TestServer,
  username: string,
  password: string,
  role: 'admin' | 'maintainer' | 'viewer',
): Promise<void> {
  const res = await t.api('/api/users', {
    method: 'POST',
    body: JSON.stringify({ username, password, role }),
  });
  if (res.status !== 201) throw new Error(`creating ${username}: ${res.status} ${await res.text()}`);
}

export function login(t: TestServer, username: string, password: string): Promise<Response> {
  return fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

export async function signIn(t: TestServer, username: string, password: string): Promise<SessionClient> {
  const res = await login(t, username, password);
  if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] as string;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrfToken,
    setCookie,
    fetch: (path, init = {}) => {
      const { csrf, ...rest } = init;
      return fetch(`${t.url}${path}`, {
        ...rest,
        headers: {
          cookie,
          ...(typeof rest.body === 'string' ? { 'content-type': 'application/json' } : {}),
          ...(csrf ? { 'x-csrf-token': csrfToken } : {}),
          ...(rest.headers as Record<string, string> | undefined),
        },
      });
    },
  };
}

/** fetch with a given bearer token. */
export function withToken(
  t: TestServer,
  token: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}
