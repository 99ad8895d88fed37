/**
 * Shared set-up of the wire-level HttpProxy tests: a proxy with a recorder on a free loopback
 * port, local upstreams (node:http servers, and raw node:net servers where a test needs exact
 * bytes or a misbehaving peer), and a raw client that parses answers off one socket so tests can
 * see keep-alive, pipelining and framing as the client really gets them. Every wait is bounded
 * (5 s by default) and rejects with what it was waiting for: a broken proxy fails, never hangs.
 * Everything a helper starts is closed in the test's `after`.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import type { EnvironmentRef } from '../../src/deploy/deploy-target.js';
import { HttpProxy } from '../../src/deploy/http-proxy.js';
import { TrafficRecorder, type TrafficRole, type TrafficTag } from '../../src/deploy/traffic-recorder.js';
import type { Upstream } from '../../src/deploy/upstream-pool.js';
import { freePort } from '../support/free-port.js';

export const WAIT_MS = 5_000;

/** Polls `check` until it returns something other than undefined/false; rejects after `ms`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ProxyUnderTest {
  proxy: HttpProxy;
  recorder: TrafficRecorder;
  port: number;
  ref: EnvironmentRef;
  tag(releaseId: string, role?: TrafficRole): TrafficTag;
}

export async function startProxy(t: TestContext): Promise<ProxyUnderTest> {
  const recorder = new TrafficRecorder();
  const port = await freePort();
  const proxy = new HttpProxy({ listenHost: '127.0.0.1', port, connectTimeoutMs: 500, recorder });
  await proxy.listen();
  // Bounded even here: a close() that never resolves fails its own test, it must not hang the run.
  t.after(() => within(proxy.close(), 'proxy.close()').catch(() => {}));
  const ref = { project: `p${randomUUID().slice(0, 6)}`, app: 'web', env: 'prod' };
  return { proxy, recorder, port, ref, tag: (releaseId, role = 'stable') => ({ ref, releaseId, role }) };
}

/** What an upstream saw of one request (headers as node parsed them). */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface HttpUpstream {
  host: string;
  port: number;
  seen: Seen[];
  /** TCP connections the proxy opened to it. */
  connections: number;
  at(tag?: TrafficTag): Upstream;
}

/** A node:http upstream on `host` (127.0.0.x) calling `handler` for every request. */
export async function httpUpstream(
  t: TestContext,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<HttpUpstream> {
  const up: HttpUpstream = {
    host,
    port: 0,
    seen: [],
    connections: 0,
    at: (tag) => ({ host, port: up.port, ...(tag ? { tag } : {}) }),
  };
  const server = createHttpServer((req, res) => {
    up.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('connection', () => up.connections++);
  up.port = await listen(server, host);
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return up;
}

export interface RawUpstream {
  host: string;
  port: number;
  /** Every byte each connection sent, in connection order. */
  received: Buffer[];
  at(tag?: TrafficTag): Upstream;
}

/**
 * A node:net upstream: `onRequest` gets the socket once a whole request head arrived, and the
 * bytes after it (the head itself is in `received`).
 */
export async function rawUpstream(
  t: TestContext,
  onRequest: (socket: Socket, head: string, rest: Buffer) => void,
  host = '127.0.0.1',
): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  const up: RawUpstream = {
    host,
    port: 0,
    received: [],
    at: (tag) => ({ host, port: up.port, ...(tag ? { tag } : {}) }),
  };
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const index = up.received.push(Buffer.alloc(0)) - 1;
    let headDone = false;
    socket.on('data', (chunk: Buffer) => {
      up.received[index] = Buffer.concat([up.received[index] as Buffer, chunk]);
      if (headDone) return;
      const all = up.received[index] as Buffer;
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      onRequest(socket, all.subarray(0, end).toString('latin1'), all.subarray(end + 4));
    });
  });
  up.port = await listen(server, host);
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return up;
}

function listen(server: Server | ReturnType<typeof createHttpServer>, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('no port'));
    });
  });
}

/** A port nothing listens on (connection refused). */
export const deadPort = freePort;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The text of one HTTP/1.1 request (Host defaults to app.test; a body gets its content-length). */
export function requestText(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): string {
  const all: Record<string, string> = { host: 'app.test', ...headers };
  if (body !== undefined && all['transfer-encoding'] === undefined)
    all['content-length'] = String(Buffer.byteLength(body));
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n${body ?? ''}`;
}

export interface RawResponse {
  status: number;
  version: string;
  headers: Record<string, string>;
  body: Buffer;
  /** How the body was delimited on the wire. */
  framing: 'none' | 'length' | 'chunked' | 'close';
  trailers: Record<string, string>;
}

/** A client on one raw socket; answers are parsed (and consumed) from what arrived so far. */
export class RawClient {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes a half-parsed answer needs before parsing again is worth it (10 MB bodies). */
  private need = 0;
  private wake: (() => void) | null = null;
  closed = false;
  /** Bytes received in total (consumed or not). */
  received = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.received += chunk.length;
      if (this.buffered >= this.need) this.wake?.();
    });
    // A reset counts as a close: the tests only care that the connection ended.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static connect(t: TestContext, port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      t.after(() => socket.destroy());
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** What arrived and was not parsed yet. */
  pending(): Buffer {
    return this.buffer;
  }

  private get buffer(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] as Buffer;
  }

  private set buffer(rest: Buffer) {
    this.chunks = [rest];
    this.buffered = rest.length;
  }

  /** The next whole answer (`head`: the request was HEAD, so the answer has no body). */
  response(opts: { head?: boolean; ms?: number } = {}): Promise<RawResponse> {
    return this.until(() => this.take(opts.head === true), 'a whole HTTP response', opts.ms);
  }

  /** The next answer, or null when the proxy closed the connection without one. */
  responseOrClose(): Promise<RawResponse | null> {
    return this.until(() => {
      const answer = this.take(false);
      if (answer) return answer;
      return this.closed ? null : undefined;
    }, 'an HTTP response or a close');
  }

  /** Resolves once `n` more bytes are buffered, and takes them. */
  bytes(n: number): Promise<Buffer> {
    return this.until(() => {
      if (this.buffer.length < n) return undefined;
      const out = this.buffer.subarray(0, n);
      this.buffer = this.buffer.subarray(n);
      return out;
    }, `${n} bytes`);
  }

  closedByPeer(ms = WAIT_MS): Promise<void> {
    return this.until(() => (this.closed ? true : undefined), 'the connection to close', ms).then(() => {});
  }

  private until<T>(check: () => T | undefined, what: string, ms = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      const finish = (error: Error | null, value?: T) => {
        clearTimeout(timer);
        this.wake = null;
        this.need = 0;
        if (error) reject(error);
        else resolve(value as T);
      };
      this.wake = () => {
        try {
          const value = check();
          if (value !== undefined) finish(null, value);
          else if (this.closed) finish(new Error(`connection closed while waiting for ${what}`));
        } catch (error) {
          finish(error as Error);
        }
      };
      this.wake();
    });
  }

  private take(noBody: boolean): RawResponse | undefined {
    const parsed = parseResponse(this.buffer, this.closed, noBody);
    if (!parsed) {
      this.need = expectedLength(this.buffer, noBody);
      return undefined;
    }
    this.buffer = this.buffer.subarray(parsed.used);
    return parsed.response;
  }
}

/** One response from the front of `buf`, or undefined while it is incomplete. */
export function parseResponse(
  buf: Buffer,
  closed: boolean,
  noBody: boolean,
): { response: RawResponse; used: number } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^(HTTP\/1\.[01]) (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const status = Number(match[2]);
  const headers = parseFields(lines);
  let at = headEnd + 4;
  const base = { status, version: match[1] as string, headers, trailers: {} };
  if (noBody || status < 200 || status === 204 || status === 304)
    return { response: { ...base, body: Buffer.alloc(0), framing: 'none' }, used: at };
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(buf.subarray(at, lineEnd).toString('latin1').split(';')[0] as string, 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size line');
      at = lineEnd + 2;
      if (size === 0) {
        const end = buf.indexOf('\r\n\r\n', at - 2);
        if (end < 0) return undefined;
        const trailerLines = buf.subarray(at, end).toString('latin1').split('\r\n').filter(Boolean);
        const body = Buffer.concat(chunks);
        const response = { ...base, body, framing: 'chunked' as const, trailers: parseFields(trailerLines) };
        return { response, used: end + 4 };
      }
      if (buf.length < at + size + 2) return undefined;
      chunks.push(buf.subarray(at, at + size));
      at += size + 2;
    }
  }
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (buf.length < at + length) return undefined;
    return {
      response: { ...base, body: buf.subarray(at, at + length), framing: 'length' },
      used: at + length,
    };
  }
  if (!closed) return undefined;
  return { response: { ...base, body: buf.subarray(at), framing: 'close' }, used: buf.length };
}

/** The whole length of a content-length answer at the front of `buf` once its head is in, else 0. */
function expectedLength(buf: Buffer, noBody: boolean): number {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (noBody || headEnd < 0) return 0;
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, headEnd).toString('latin1'));
  return match ? headEnd + 4 + Number(match[1]) : 0;
}

function parseFields(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}
