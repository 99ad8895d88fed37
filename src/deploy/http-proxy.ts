/**
 * The HTTP-aware port proxy (environments with `protocol: http`): same contract as PortProxy
 * (atomic upstream switch, drain, retry of a request no upstream took yet), but it speaks HTTP
 * so it can count what each version served — requests by status class, bytes and latency,
 * tagged with the release of the upstream that answered (traffic-recorder.ts).
 *
 * It forwards on raw sockets rather than through node:http's server and client: only message
 * heads are parsed and rebuilt (http-wire.ts, http-head-rewrite.ts), body bytes pass untouched
 * with back-pressure, and upstream connections are kept alive and reused
 * (upstream-connections.ts). That roughly doubles what one core forwards (BENCHMARKS.md), and
 * it is what every exchange of every deployed application pays. Each client connection is a
 * ClientConnection (http-client-connection.ts): per-request upstream choice, pipelining,
 * `Upgrade` tunnels (WebSocket), retries, and the proxy's own 502/503/4xx answers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ClientConnection } from './http-client-connection.js';
import type { ProxyContext } from './http-exchange.js';
import { listenOn, type PortProxyOptions } from './port-proxy.js';
import type { TrafficRecorder } from './traffic-recorder.js';
import { UpstreamConnections } from './upstream-connections.js';
import { ActiveUpstreams, type Upstream, UpstreamPool } from './upstream-pool.js';

export interface HttpProxyOptions extends PortProxyOptions {
  recorder?: TrafficRecorder;
  /** How long a started request head may take (default 60 s, as Node's `headersTimeout`). */
  headTimeoutMs?: number;
}

export class HttpProxy {
  private server: Server | null = null;
  private readonly pool = new UpstreamPool();
  private readonly active = new ActiveUpstreams();
  private readonly connections: UpstreamConnections;
  private readonly clients = new Set<Socket>();
  private readonly context: ProxyContext;

  constructor(private readonly options: HttpProxyOptions) {
    this.connections = new UpstreamConnections(options.connectTimeoutMs ?? 1_000);
    const recorder = options.recorder;
    this.context = {
      pick: () => this.pool.pick(),
      upstreamCount: () => this.pool.size(),
      connections: this.connections,
      open: (host) => this.active.open(host),
      record: (upstream, status, startedAt, bytesIn, bytesOut) => {
        if (upstream.tag)
          recorder?.request(upstream.tag, status, performance.now() - startedAt, bytesIn, bytesOut);
      },
      headTimeoutMs: options.headTimeoutMs ?? 60_000,
      wanted: (upstream) => this.pool.has(upstream.host, upstream.port),
    };
  }

  get port(): number {
    return this.options.port;
  }

  get boundHost(): string | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.address : null;
  }

  listen(): Promise<void> {
    // Half-open: a client that ends its side after a request still gets the answer.
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      this.clients.add(client);
      client.once('close', () => this.clients.delete(client));
      new ClientConnection(client, this.context);
    });
    return listenOn(server, this.options).then(() => {
      this.server = server;
    });
  }

  setUpstreams(upstreams: Upstream[], canary: Upstream[] = [], canaryShare = 0): void {
    this.pool.set(upstreams, canary, canaryShare);
    // Idle connections to versions that left stop holding their containers.
    this.connections.retain(new Set(this.pool.all().map((u) => `${u.host}:${u.port}`)));
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
    for (const client of this.clients) client.destroy();
    this.connections.closeAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
