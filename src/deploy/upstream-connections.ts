/**
 * Idle keep-alive connections to the upstreams of one HTTP proxy, reused LIFO (the warmest
 * first). A connection idles at most IDLE_MS: less than the 5 s keep-alive of Node's HTTP server
 * and most frameworks, so the proxy drops it before the application does and seldom reuses a
 * connection the application is just closing (the rest is covered by the proxy's retry of a
 * request nobody answered). Connections to upstreams that left the set are closed at once, so
 * nothing holds an old container after a switch.
 */
import { connect, type Socket } from 'node:net';

const IDLE_MS = 4_000;
const MAX_IDLE_PER_UPSTREAM = 64;

/** What a pooled socket reports to whoever uses it at the moment (set while lent out). */
export interface UpstreamUser {
  onUpstreamData(chunk: Buffer): void;
  onUpstreamEnd(): void;
  onUpstreamClose(): void;
  onUpstreamDrain(): void;
}

/** One connection to an upstream; `user` is whoever it currently serves (null while idle). */
export class UpstreamConnection {
  user: UpstreamUser | null = null;
  /** While idle: takes it out of the idle list when the upstream closes it. */
  onIdleClose: (() => void) | null = null;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: Socket,
    readonly key: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.user) this.user.onUpstreamData(chunk);
      else socket.destroy(); // an idle upstream talking out of turn cannot be trusted again
    });
    socket.on('end', () => {
      if (this.user) this.user.onUpstreamEnd();
      else socket.destroy(); // the upstream closed an idle connection
    });
    socket.on('drain', () => this.user?.onUpstreamDrain());
    // What went wrong does not matter: 'close' follows, and the user decides from what it saw.
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.user) this.user.onUpstreamClose();
      else this.onIdleClose?.();
    });
  }
}

export class UpstreamConnections {
  private readonly idle = new Map<string, UpstreamConnection[]>();

  constructor(private readonly connectTimeoutMs: number) {}

  /** A live idle connection to host:port, or a new one (connecting; errors reach the user). */
  take(host: string, port: number, user: UpstreamUser, fresh = false): UpstreamConnection {
    const key = `${host}:${port}`;
    const list = fresh ? undefined : this.idle.get(key);
    while (list && list.length > 0) {
      const conn = list.pop() as UpstreamConnection;
      clearTimeout(conn.idleTimer);
      conn.onIdleClose = null;
      if (conn.socket.destroyed || !conn.socket.writable || conn.socket.readableEnded) continue;
      conn.socket.setTimeout(0);
      conn.user = user;
      return conn;
    }
    const socket = connect({ host, port, noDelay: true, allowHalfOpen: true });
    const conn = new UpstreamConnection(socket, key);
    conn.user = user;
    socket.setTimeout(this.connectTimeoutMs, () => {
      if (socket.connecting) socket.destroy(new Error('connect timeout'));
    });
    socket.once('connect', () => socket.setTimeout(0));
    return conn;
  }

  /** Takes a connection back after a complete exchange; it idles until reused or too old. */
  release(conn: UpstreamConnection, stillWanted: boolean): void {
    conn.user = null;
    const list = this.idle.get(conn.key) ?? [];
    if (!stillWanted || conn.socket.destroyed || list.length >= MAX_IDLE_PER_UPSTREAM) {
      conn.socket.destroy();
      return;
    }
    list.push(conn);
    this.idle.set(conn.key, list);
    const drop = () => {
      clearTimeout(conn.idleTimer);
      conn.onIdleClose = null;
      const at = list.indexOf(conn);
      if (at >= 0) list.splice(at, 1);
      conn.socket.destroy();
    };
    conn.onIdleClose = drop;
    conn.idleTimer = setTimeout(drop, IDLE_MS).unref();
  }

  /** Closes idle connections to every upstream not in `keep` (host:port keys). */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, list] of this.idle) {
      if (keep.has(key)) continue;
      this.idle.delete(key);
      for (const conn of list) conn.socket.destroy();
    }
  }

  closeAll(): void {
    this.retain(new Set());
  }
}
