/**
 * Pushes one tag through the engine. Credentials travel in `X-Registry-Auth` (base64 JSON), never
 * in a URL or a log line. The push answers with a JSON stream: progress, then an `aux` with the
 * manifest digest, or an `error` line inside the 200 response. A registry that accepts the
 * connection and then hangs is bounded by `timeoutMs`: aborting the request cancels the push in
 * the engine.
 */
import type Dockerode from 'dockerode';
import type { RegistryCredentials } from '../backend.js';
import { engineMessage } from './errors.js';
import { readEngineEvents } from './progress.js';

export type PushResult = { ok: true; digest: string; size: number | null } | { ok: false; message: string };

export async function pushTag(
  docker: Dockerode,
  repository: string,
  tag: string,
  options: {
    registry: string;
    credentials: RegistryCredentials | null;
    timeoutMs: number;
    signal: AbortSignal;
    onProgress?: (text: string) => void;
  },
): Promise<PushResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const authconfig = options.credentials
    ? {
        username: options.credentials.username,
        password: options.credentials.password,
        serveraddress: options.registry,
      }
    : // The engine wants the header even for anonymous pushes (else it may reuse a login).
      { serveraddress: options.registry };
  const reference = `${repository}:${tag}`;
  let digest: string | null = null;
  let size: number | null = null;
  let failure: string | null = null;
  try {
    const stream: NodeJS.ReadableStream = await docker
      .getImage(repository)
      .push({ tag, authconfig, abortSignal: signal } as unknown as Dockerode.ImagePushOptions);
    const seen = new Set<string>();
    await readEngineEvents(
      stream,
      (event) => {
        const error = event.errorDetail?.message ?? event.error;
        if (error !== undefined) failure ??= String(error);
        if (typeof event.aux?.Digest === 'string') digest = event.aux.Digest;
        if (typeof event.aux?.Size === 'number') size = event.aux.Size;
        // Per-layer states once each ("Pushed", "Layer already exists"), no progress bars.
        if (typeof event.status === 'string' && typeof event.id === 'string') {
          const key = `${event.id} ${event.status}`;
          if (!seen.has(key) && !/^Pushing|^Waiting|^Preparing/.test(event.status)) {
            seen.add(key);
            options.onProgress?.(`${event.id}: ${event.status}`);
          }
        }
      },
      'the engine closed the push stream before it finished',
    );
  } catch (err) {
    if (options.signal.aborted) return { ok: false, message: 'aborted' };
    if (timeout.aborted) {
      return {
        ok: false,
        message: `pushing ${reference} to ${options.registry} did not finish within ${Math.round(options.timeoutMs / 1000)} s (is the registry hanging?)`,
      };
    }
    failure ??= engineMessage(err);
  }
  if (failure !== null) {
    return { ok: false, message: `pushing ${reference} to ${options.registry} failed: ${explain(failure)}` };
  }
  if (digest === null) {
    return { ok: false, message: `pushing ${reference} to ${options.registry} ended without a digest` };
  }
  return { ok: true, digest, size };
}

/** The engine's wording plus what it usually means, for the two failures users hit most. */
function explain(message: string): string {
  if (/unauthorized|authentication required|no basic auth credentials|denied/i.test(message))
    return `${message} (the registry refused the credentials)`;
  if (/connection refused|no such host|i\/o timeout|dial tcp/i.test(message))
    return `${message} (the registry is not reachable)`;
  return message;
}
