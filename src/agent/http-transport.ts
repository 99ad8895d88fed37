/**
 * The agent protocol over HTTP, for a standalone `slipway agent`. Same behaviour as the
 * in-process transport: a 404 on a lease call (or 401: the token was revoked) is
 * LeaseGoneError; on `lease`, 401 and 400 mean the server refuses this agent (AgentRefusedError).
 *
 * Retries: network errors, timeouts and 502/503/504 are retried with backoff for up to
 * `retryForMs` — a server restart or a database hiccup must not lose a run's reports. Only
 * `lease` is not retried here: the agent's loop already retries it with its own backoff.
 * A retried call may have been applied the first time; the protocol makes that harmless.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { z } from 'zod';
import {
  type AgentInfoMessage,
  cancelAnswerSchema,
  type EnvironmentReportAnswer,
  type EnvironmentReportMessage,
  environmentReportAnswerSchema,
  type JobResultMessage,
  type LeaseMessage,
  type LogBatchMessage,
  leaseSchema,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type RunFinishMessage,
  type TrafficReportAnswer,
  type TrafficReportMessage,
  trafficReportAnswerSchema,
} from '../protocol/agent-protocol.js';
import {
  AgentRefusedError,
  type AgentTransport,
  type ArtifactUploadMeta,
  type CacheArchive,
  type CacheRef,
  LeaseGoneError,
} from '../protocol/agent-transport.js';
import {
  type ArtifactSource,
  type ArtifactStoredMessage,
  artifactStoredSchema,
  type TestReportMessage,
} from '../protocol/artifact-protocol.js';

export interface HttpTransportOptions {
  /** Base URL of the server, e.g. http://ci.example:8080 */
  server: string;
  /** The agent token (`sla_…`). */
  token: string;
  /** The agent's labels, sent with every lease request (the server records them). */
  labels?: Record<string, string>;
  /** Version and capacity, sent with every lease request for the Agents page. */
  info?: AgentInfoMessage;
  /** Give up retrying a call after this long; default 60 s. */
  retryForMs?: number;
  /** Limit for one attempt of a call other than lease and source; default 30 s. */
  callTimeoutMs?: number;
}

const RETRY_STATUSES = new Set([502, 503, 504]);

export class HttpTransport implements AgentTransport {
  private readonly base: string;
  private readonly retryForMs: number;
  private readonly callTimeoutMs: number;

  constructor(private readonly opts: HttpTransportOptions) {
    this.base = opts.server.replace(/\/+$/, '');
    this.retryForMs = opts.retryForMs ?? 60_000;
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
  }

  async lease(waitMs: number, signal: AbortSignal): Promise<LeaseMessage | null> {
    const res = await fetch(`${this.base}/api/agent/lease`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify({
        waitMs,
        ...(this.opts.labels ? { labels: this.opts.labels } : {}),
        ...(this.opts.info ? { agent: this.opts.info } : {}),
      }),
      // Past the wait plus a margin, the connection is dead (a silent network drop): retry.
      signal: AbortSignal.any([signal, AbortSignal.timeout(waitMs + this.callTimeoutMs)]),
    });
    if (res.status === 204) return null;
    if (res.status === 401 || res.status === 400) {
      throw new AgentRefusedError(`the server refused this agent: ${await errorText(res)}`);
    }
    if (!res.ok) throw new Error(`lease: HTTP ${res.status}: ${await errorText(res)}`);
    return leaseSchema.parse(await res.json());
  }

  heartbeat(leaseId: string): Promise<{ cancel: boolean }> {
    return this.json(leaseId, 'heartbeat', undefined, cancelAnswerSchema);
  }

  jobUpdate(leaseId: string, update: JobResultMessage): Promise<{ cancel: boolean }> {
    return this.json(leaseId, 'jobs', update, cancelAnswerSchema);
  }

  logs(leaseId: string, batch: LogBatchMessage): Promise<{ cancel: boolean }> {
    return this.json(leaseId, 'logs', batch, cancelAnswerSchema);
  }

  async finish(leaseId: string, result: RunFinishMessage): Promise<void> {
    await this.call(leaseId, 'finish', { method: 'POST', body: JSON.stringify(result) }, this.callTimeoutMs);
  }

  /** One attempt: the agent's reporter sends again on its next tick when this fails. */
  async reportEnvironments(report: EnvironmentReportMessage): Promise<EnvironmentReportAnswer> {
    const res = await fetch(`${this.base}/api/agent/environments`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(this.callTimeoutMs),
    });
    if (!res.ok) throw new Error(`environments: HTTP ${res.status}: ${await errorText(res)}`);
    // A server from before removals answers 204: nothing to remove.
    if (res.status === 204) return { remove: [] };
    return environmentReportAnswerSchema.parse(await res.json());
  }

  /** One attempt: the traffic reporter keeps the report (same id) and sends it again. */
  async reportTraffic(report: TrafficReportMessage): Promise<TrafficReportAnswer> {
    const res = await fetch(`${this.base}/api/agent/traffic`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(this.callTimeoutMs),
    });
    if (!res.ok) throw new Error(`traffic: HTTP ${res.status}: ${await errorText(res)}`);
    return trafficReportAnswerSchema.parse(await res.json());
  }

  async uploadArtifacts(
    leaseId: string,
    job: string,
    archive: Readable,
    meta: ArtifactUploadMeta,
  ): Promise<ArtifactStoredMessage> {
    const query = new URLSearchParams();
    if (meta.name !== null) query.set('name', meta.name);
    if (meta.expireInMs !== null) query.set('expireIn', String(meta.expireInMs));
    const url = `${this.base}/api/agent/leases/${encodeURIComponent(leaseId)}/artifacts/${encodeURIComponent(job)}?${query}`;
    const res = await fetch(url, {
      method: 'PUT',
      headers: { ...this.headers(false), 'content-type': 'application/gzip' },
      body: Readable.toWeb(archive) as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit);
    if (!res.ok) {
      const why = await errorText(res);
      archive.destroy();
      throw new Error(`HTTP ${res.status}: ${why}`);
    }
    return artifactStoredSchema.parse(await res.json());
  }

  /** Retried until the answer starts, like the source. */
  async downloadArtifacts(leaseId: string, source: ArtifactSource): Promise<Readable> {
    const path = `artifacts/${encodeURIComponent(source.job)}?run=${encodeURIComponent(source.runId)}`;
    const res = await this.call(leaseId, path, { method: 'GET' }, null);
    if (!res.body) throw new Error('artifacts: the server sent no body');
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  async reportTests(leaseId: string, report: TestReportMessage): Promise<void> {
    await this.call(leaseId, 'reports', { method: 'POST', body: JSON.stringify(report) }, this.callTimeoutMs);
  }

  /** Retried until the answer starts; the body is then streamed as it arrives. */
  async source(leaseId: string): Promise<Readable> {
    const res = await this.call(leaseId, 'source.tar', { method: 'GET' }, null);
    if (!res.body) throw new Error('source.tar: the server sent no body');
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  /** The server's archive of a cache, streamed; null when it has none (204). */
  async cacheDownload(leaseId: string, cache: CacheRef): Promise<CacheArchive | null> {
    const res = await this.call(leaseId, `caches/archive?${cacheQuery(cache)}`, { method: 'GET' }, null);
    if (res.status === 204 || !res.body) return null;
    return {
      size: Number(res.headers.get('content-length') ?? 0),
      tar: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
    };
  }

  /** Streams a cache's tar to the server (not retried: the stream cannot be replayed). */
  async cacheUpload(leaseId: string, cache: CacheRef, tar: Readable): Promise<void> {
    const url = `${this.base}/api/agent/leases/${encodeURIComponent(leaseId)}/caches/archive?${cacheQuery(cache)}`;
    const res = await fetch(url, {
      method: 'PUT',
      headers: { ...this.headers(false), 'content-type': 'application/x-tar' },
      body: Readable.toWeb(tar) as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit);
    if (res.status === 404 || res.status === 401) throw new LeaseGoneError(`caches: ${await errorText(res)}`);
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await errorText(res)}`);
    await res.body?.cancel().catch(() => {});
  }

  private async json<T>(leaseId: string, path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const res = await this.call(
      leaseId,
      path,
      { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
      this.callTimeoutMs,
    );
    return schema.parse(await res.json());
  }

  /** One lease call with retries; resolves with a 2xx response. */
  private async call(
    leaseId: string,
    path: string,
    init: { method: string; body?: string },
    timeoutMs: number | null,
  ): Promise<Response> {
    const url = `${this.base}/api/agent/leases/${encodeURIComponent(leaseId)}/${path}`;
    const giveUpAt = Date.now() + this.retryForMs;
    for (let attempt = 1; ; attempt++) {
      let res: Response | null = null;
      let problem: string;
      try {
        res = await fetch(url, {
          ...init,
          headers: this.headers(init.body !== undefined),
          ...(timeoutMs === null ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
        });
        problem = `HTTP ${res.status}`;
      } catch (error) {
        problem = networkProblem(error);
      }
      if (res) {
        if (res.ok) return res;
        if (res.status === 404 || res.status === 401)
          throw new LeaseGoneError(`${path}: ${await errorText(res)}`);
        if (!RETRY_STATUSES.has(res.status))
          throw new Error(`${path}: HTTP ${res.status}: ${await errorText(res)}`);
        await res.body?.cancel().catch(() => {});
      }
      const wait = Math.min(5000, 250 * 2 ** (attempt - 1));
      if (Date.now() + wait > giveUpAt)
        throw new Error(`${path}: ${problem} (gave up after ${attempt} attempts)`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private headers(hasBody: boolean): Record<string, string> {
    return {
      authorization: `Bearer ${this.opts.token}`,
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    };
  }
}

function cacheQuery(cache: CacheRef): string {
  return new URLSearchParams({ key: cache.key, paths: JSON.stringify(cache.paths) }).toString();
}

/** The server's own message when it sent one (`{ error: { message } }`), else the status. */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200) || `HTTP ${res.status}`;
}

function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
