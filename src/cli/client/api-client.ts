import { UsageError } from '../usage-error.js';

/**
 * A small typed wrapper over the REST API for the CLI. Errors come back as the server words
 * them (`{error:{message}}`), prefixed with the HTTP status, as UsageErrors (exit 2): the CLI
 * never prints a stack for a refused request.
 */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.server.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new UsageError(
        `cannot reach ${this.server}: ${(error as Error).cause ?? (error as Error).message}`,
      );
    }
    if (res.status === 204 || res.status === 202) {
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message =
        (json as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 200);
      throw new UsageError(`${method} ${path}: ${res.status} ${message}`);
    }
    return json as T;
  }

  /** An open streaming response (SSE); the caller reads its body. */
  async stream(path: string, lastEventId?: string, signal?: AbortSignal): Promise<Response> {
    const res = await fetch(`${this.server.replace(/\/+$/, '')}${path}`, {
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new UsageError(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res;
  }
}
