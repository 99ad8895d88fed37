/**
 * Engine errors as one readable line. dockerode's messages look like
 * `(HTTP code 404) no such container - No such container: abc `; the engine's own message
 * (`json.message`) is the useful part. Connection errors carry a code (ECONNREFUSED…).
 */
interface EngineError {
  statusCode?: number;
  code?: string;
  json?: { message?: unknown } | null;
  message?: string;
}

export function statusOf(err: unknown): number | undefined {
  return (err as EngineError | null)?.statusCode;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as EngineError;
  if (typeof e.json?.message === 'string') return e.json.message.trim();
  const text = typeof e.message === 'string' ? e.message : String(err);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** `creating the job container: No such image: foo:1`. */
export function describeError(action: string, err: unknown): string {
  return `${action}: ${engineMessage(err)}`;
}
