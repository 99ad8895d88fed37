/**
 * A TCP port proxy: listens on one host port and forwards each connection to one of a set of
 * upstreams (containers' bridge addresses), round-robin. It is what makes a local (non-Swarm)
 * deploy zero-downtime: the upstream set is replaced atomically when a new version is healthy,
 * new connections go to the new containers while old connections finish on the old ones.
 * A connection whose upstream refuses or does not answer within `connectTimeoutMs` is retried
 * on the next upstream, so a container that died between two refreshes costs no request.
 */
import { createServer, type Server, Socket } from 'node:net';
import type { TrafficRecorder } from './traffic-recorder.js';
import { type Upstream, UpstreamPool } from './upstream-pool.js';

export type { Upstream };

export interface PortProxyOptions {
  /** Interface to listen on: SLIPWAY_PUBLISH_HOST (default `0.0.0.0`); `127.0.0.1` in tests. */
  listenHost: string;
  port: number;
  connectTimeoutMs?: number;
  /** Counts connections per tagged upstream (TCP environments). */
  recorder?: TrafficRecorder;
}

/**
 * Binds a proxy's server to its host port; a taken port (or any other bind failure) rejects
 * with a PortProxyError whose message names the port, for the environment's observed state.
 */
export function listenOn(server: Server, options: PortProxyOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const reason =
        err.code === 'EADDRINUSE'
          ? `host port ${options.port} is already in use by another process`
          : `cannot listen on host port ${options.port}: ${err.message}`;
      reject(new PortProxyError(reason, err.code, options.port, err.message));
    });
    server.listen({ host: options.listenHost, port: options.port }, () => resolve());
  });
}

export class PortProxyError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** The host port and the system's words, for the release's reason code (port_in_use…). */
    readonly port?: number,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export class PortProxy {
  private server: Server | null = null;
  private readonly pool = new UpstreamPool();
  private readonly active = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: PortProxyOptions) {}

  get port(): number {
    return this.options.port;
  }

  /** The interface it listens on (null before `listen`). */
  get boundHost(): string | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.address : null;
  }

  /** Starts listening; rejects with a PortProxyError (code EADDRINUSE…) when the port is taken. */
  listen(): Promise<void> {
    const server = createServer({ pauseOnConnect: true }, (client) => this.accept(client));
    return listenOn(server, this.options).then(() => {
      this.server = server;
    });
  }

  /**
   * Replaces the upstream set at once; connections already open are not touched. A canary gets
   * `canaryShare` (0..1) of the new connections.
   */
  setUpstreams(upstreams: Upstream[], canary: Upstream[] = [], canaryShare = 0): void {
    this.pool.set(upstreams, canary, canaryShare);
  }

  upstreams(): readonly Upstream[] {
    return this.pool.all();
  }

  /** Open connections to these upstream hosts (any port). */
  activeTo(hosts: readonly string[]): number {
    return hosts.reduce((sum, host) => sum + (this.active.get(host) ?? 0), 0);
  }

  /** Resolves when no connection to `hosts` is open any more, or after `timeoutMs`. */
  async waitIdle(hosts: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.activeTo(hosts) > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
  }

  /** Stops listening and closes every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    this.connect(client, 0);
  }

  private connect(client: Socket, attempt: number): void {
    const upstream = this.pool.pick();
    if (client.destroyed) return;
    if (!upstream || attempt > this.pool.size() + 1) {
      client.destroy();
      return;
    }
    const socket = new Socket();
    this.sockets.add(socket);
    let connected = false;
    const timer = setTimeout(
      () => socket.destroy(new Error('connect timeout')),
      this.options.connectTimeoutMs ?? 1_000,
    );
    socket.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      const k = upstream.host;
      this.active.set(k, (this.active.get(k) ?? 0) + 1);
      socket.once('close', () => {
        if (upstream.tag)
          this.options.recorder?.connection(upstream.tag, socket.bytesWritten, socket.bytesRead);
        const left = (this.active.get(k) ?? 1) - 1;
        if (left > 0) this.active.set(k, left);
        else this.active.delete(k);
        for (const wake of [...this.idleWaiters]) {
          this.idleWaiters.delete(wake);
          wake();
        }
      });
      client.pipe(socket);
      socket.pipe(client);
      client.once('close', () => socket.destroy());
      socket.once('close', () => client.destroy());
      client.resume();
    });
    socket.on('error', () => {
      clearTimeout(timer);
      socket.destroy();
      // Nothing was sent yet (the client is paused): another upstream can take the connection.
      if (!connected) this.connect(client, attempt + 1);
    });
    socket.once('close', () => this.sockets.delete(socket));
    socket.connect({ host: upstream.host, port: upstream.port });
  }
}
