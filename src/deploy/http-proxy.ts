/**
 * The HTTP-aware port proxy (environments with `protocol: http`): same contract as PortProxy
 * (atomic upstream switch, drain, retry of a request no upstream took yet), but it speaks HTTP
 * so it can count what each version served — requests by status class, bytes and latency,
 * tagged with the release of the upstream that answered (traffic-recorder.ts).
 *
 * Bodies stream both ways with back-pressure, never buffered. Client connections stay alive
 * across requests, and every request picks its upstream anew, so a switch (or a canary share)
 * applies per request. Upstream connections are pooled (keep-alive agent). WebSocket and other
 * `Upgrade` requests are tunnelled as raw sockets once the upstream agreed (101).
 * `X-Forwarded-For/Proto/Host` tell the application who asked.
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenOn, type PortProxyOptions } from './port-proxy.js';
import type { TrafficRecorder } from './traffic-recorder.js';
import { ActiveUpstreams, type Upstream, UpstreamPool } from './upstream-pool.js';

export interface HttpProxyOptions extends PortProxyOptions {
  recorder?: TrafficRecorder;
}

/** Headers of one hop that must not be forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export class HttpProxy {
  private server: Server | null = null;
  private readonly pool = new UpstreamPool();
  private readonly active = new ActiveUpstreams();
  private readonly agent = new Agent({ keepAlive: true, maxFreeSockets: 128, scheduling: 'lifo' });
  private readonly tunnels = new Set<Duplex>();

  constructor(private readonly options: HttpProxyOptions) {}

  get port(): number {
    return this.options.port;
  }

  get boundHost(): string | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.address : null;
  }

  listen(): Promise<void> {
    const server = createServer({ requestTimeout: 0 }, (req, res) =>
      this.forward(req, res, 0, performance.now()),
    );
    // Longer than common load balancers' idle timeout, so they close first (no reset races).
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.tunnel(req, socket, head, 0, performance.now()),
    );
    server.on('clientError', (_err, socket) => socket.destroy());
    return listenOn(server, this.options).then(() => {
      this.server = server;
    });
  }

  setUpstreams(upstreams: Upstream[], canary: Upstream[] = [], canaryShare = 0): void {
    this.pool.set(upstreams, canary, canaryShare);
  }

  upstreams(): readonly Upstream[] {
    return this.pool.all();
  }

  activeTo(hosts: readonly string[]): number {
    return this.active.to(hosts);
  }

  waitIdle(hosts: readonly string[], timeoutMs: number): Promise<void> {
    return this.active.waitIdle(hosts, timeoutMs);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.tunnels) socket.destroy();
    this.agent.destroy();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private forward(req: IncomingMessage, res: ServerResponse, attempt: number, started: number): void {
    const upstream = this.pool.pick();
    if (!upstream || attempt > this.pool.size() + 1) {
      refuse(res, upstream ? 502 : 503);
      return;
    }
    const done = this.active.open(upstream.host);
    let bytesIn = 0;
    let bytesOut = 0;
    let forwarding = false;
    let answered = false;
    const upReq = request({
      host: upstream.host,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, false),
      agent: this.agent,
    });
    const record = (status: number | null) => {
      if (upstream.tag)
        this.options.recorder?.request(upstream.tag, status, performance.now() - started, bytesIn, bytesOut);
    };
    // The body is read only once a connection to the upstream exists: until then nothing of it
    // is consumed, so a refused connection can be retried on another upstream.
    const onData = (chunk: Buffer) => {
      bytesIn += chunk.length;
      if (!upReq.write(chunk)) req.pause();
    };
    const onEnd = () => upReq.end();
    const sendBody = () => {
      forwarding = true;
      if (req.readableEnded) return upReq.end();
      req.on('data', onData);
      req.once('end', onEnd);
      upReq.on('drain', () => req.resume());
    };
    upReq.on('socket', (socket: Socket) => {
      if (!socket.connecting) return sendBody();
      const timer = setTimeout(
        () => upReq.destroy(new Error('connect timeout')),
        this.options.connectTimeoutMs ?? 1_000,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        sendBody();
      });
      socket.once('close', () => clearTimeout(timer));
    });
    upReq.on('response', (upRes) => {
      answered = true;
      const status = upRes.statusCode ?? 502;
      res.writeHead(status, upRes.statusMessage, responseHeaders(upRes));
      upRes.on('data', (chunk: Buffer) => {
        bytesOut += chunk.length;
        if (!res.write(chunk)) upRes.pause();
      });
      res.on('drain', () => upRes.resume());
      upRes.on('end', () => {
        res.end();
        record(status);
        done();
      });
      upRes.on('error', () => res.destroy());
    });
    upReq.on('error', (error: NodeJS.ErrnoException) => {
      done();
      req.off('data', onData);
      req.off('end', onEnd);
      if (error.message === 'client gone') return;
      if (answered) {
        res.destroy();
        return;
      }
      // Nothing of the request reached an upstream (or it is safe to repeat): try the next one.
      const canRetry = !forwarding || (bytesIn === 0 && !hasBody(req) && IDEMPOTENT.has(req.method ?? ''));
      if (canRetry && !res.destroyed) {
        this.forward(req, res, attempt + 1, started);
        return;
      }
      record(null);
      refuse(res, 502);
    });
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy(new Error('client gone'));
    });
  }

  /** An `Upgrade` request (WebSocket): once the upstream answers 101, bytes flow both ways as-is. */
  private tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, attempt: number, started: number): void {
    const upstream = this.pool.pick();
    if (!upstream || attempt > this.pool.size() + 1) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    const upReq = request({
      host: upstream.host,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, true),
      agent: false,
      timeout: this.options.connectTimeoutMs ?? 1_000,
    });
    let answered = false;
    const record = (status: number | null, bytesIn: number, bytesOut: number) => {
      if (upstream.tag)
        this.options.recorder?.request(upstream.tag, status, performance.now() - started, bytesIn, bytesOut);
    };
    upReq.on('timeout', () => {
      if (!answered) upReq.destroy(new Error('connect timeout'));
    });
    upReq.on('upgrade', (upRes, upSocket: Socket, upHead: Buffer) => {
      answered = true;
      upReq.setTimeout(0);
      const done = this.active.open(upstream.host);
      this.tunnels.add(socket);
      socket.write(statusLine(upRes) + rawHeaderLines(upRes.rawHeaders));
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.pipe(socket);
      socket.pipe(upSocket);
      upSocket.on('error', () => socket.destroy());
      const end = () => {
        socket.destroy();
        upSocket.destroy();
      };
      // Either side ending ends the tunnel (the server's sockets allow half-open connections,
      // which would otherwise keep it, and its count, open forever).
      socket.once('close', end);
      socket.once('end', end);
      upSocket.once('end', end);
      upSocket.once('close', () => {
        end();
        this.tunnels.delete(socket);
        done();
        record(101, upSocket.bytesWritten, upSocket.bytesRead);
      });
    });
    upReq.on('response', (upRes) => {
      // The upstream declined the upgrade: pass its answer on and close.
      answered = true;
      socket.write(statusLine(upRes) + rawHeaderLines(upRes.rawHeaders, true));
      upRes.pipe(socket);
      upRes.on('end', () => record(upRes.statusCode ?? 502, 0, 0));
    });
    upReq.on('error', () => {
      if (answered) return socket.destroy();
      if (!socket.destroyed && attempt <= this.pool.size()) {
        this.tunnel(req, socket, head, attempt + 1, started);
        return;
      }
      record(null, 0, 0);
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    upReq.end();
  }
}

function forwardedHeaders(req: IncomingMessage, upgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionTokens = new Set(
    String(req.headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((t) => t.trim()),
  );
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionTokens.has(name)) continue;
    out[name] = value;
  }
  if (upgrade) {
    out.connection = 'Upgrade';
    if (req.headers.upgrade) out.upgrade = req.headers.upgrade;
  }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  out['x-forwarded-proto'] = String(req.headers['x-forwarded-proto'] ?? 'http');
  out['x-forwarded-host'] = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '');
  return out;
}

function responseHeaders(res: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function statusLine(res: IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\n`;
}

function rawHeaderLines(raw: string[], close = false): string {
  let text = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (close && /^connection$/i.test(raw[i] as string)) continue;
    text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return `${text}${close ? 'connection: close\r\n' : ''}\r\n`;
}

function refuse(res: ServerResponse, status: 502 | 503): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = status === 503 ? 'no version of this application is serving\n' : 'no upstream answered\n';
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
