/**
 * One client connection of the HTTP proxy: reads request heads, picks an upstream per request
 * (a switch or a canary share applies per request, even on a long keep-alive connection) and
 * passes both bodies on untouched, following where each message ends (http-wire.ts), with
 * back-pressure both ways. Pipelined requests wait until the answer before them is complete; a
 * 101 turns the connection into a tunnel; a request no upstream took goes to the next upstream,
 * then the proxy answers 502 itself (503 when nothing is serving).
 */
import type { Socket } from 'node:net';
import {
  type Exchange,
  openExchange,
  type ProxyContext,
  REPEATABLE,
  readResponseHeads,
} from './http-exchange.js';
import { proxyAnswer } from './http-head-rewrite.js';
import { type BodyTracker, headEnd, MAX_HEAD_BYTES, WireError } from './http-wire.js';
import type { UpstreamConnection, UpstreamUser } from './upstream-connections.js';

/** Longer than common load balancers' idle timeout, so they close first (no reset races). */
const KEEP_ALIVE_MS = 65_000;

export class ClientConnection implements UpstreamUser {
  private pending: Buffer | null = null;
  private ex: Exchange | null = null;
  private clientEnded = false;
  private refused = false;
  private headTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: Socket,
    private readonly ctx: ProxyContext,
  ) {
    client.setNoDelay(true);
    client.setTimeout(KEEP_ALIVE_MS, () => {
      if (!this.ex) client.destroy();
    });
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => this.ex?.conn?.socket.resume());
    client.on('error', () => client.destroy());
    client.on('close', () => this.onClientClose());
  }

  private onClientData(chunk: Buffer): void {
    const ex = this.ex;
    if (this.refused) return;
    if (ex?.tunnel) {
      ex.bytesIn += chunk.length;
      if (!ex.conn?.socket.write(chunk)) this.client.pause();
      return;
    }
    if (ex && !ex.requestBody.done) {
      this.forwardRequestBody(chunk);
      return;
    }
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    // A pipelined request waits until the answer before it is complete.
    if (ex) this.client.pause();
    else this.nextRequest();
  }

  /** Starts the next request in `pending`, or waits for more of its head. */
  private nextRequest(): void {
    const buf = this.pending;
    if (!buf) {
      this.client.resume();
      return;
    }
    const end = headEnd(buf);
    if (end < 0 || end > MAX_HEAD_BYTES) {
      if (end > MAX_HEAD_BYTES || buf.length > MAX_HEAD_BYTES) this.refuse(431, 'request head too large');
      else {
        // A head arriving a byte at a time must not hold the connection forever.
        this.headTimer ??= setTimeout(
          () => this.refuse(408, 'request head not complete in time'),
          this.ctx.headTimeoutMs,
        );
        this.client.resume();
      }
      return;
    }
    this.clearHeadTimer();
    this.pending = null;
    try {
      const { ex, leftover } = openExchange(buf, end, this.client.remoteAddress ?? '');
      this.ex = ex;
      this.pending = leftover;
    } catch (error) {
      if (error instanceof WireError) this.refuse(error.status, error.message);
      else this.client.destroy();
      return;
    }
    this.dispatch();
  }

  /** Sends the exchange's request to an upstream picked now. */
  private dispatch(): void {
    const ex = this.ex as Exchange;
    const upstream = this.ctx.pick();
    if (!upstream) {
      this.fail(503, 'no version of this application is serving');
      return;
    }
    if (ex.attempt > this.ctx.upstreamCount() + 1) {
      this.fail(502, 'no upstream answered');
      return;
    }
    ex.upstream = upstream;
    ex.closeActive = this.ctx.open(upstream.host);
    // Tunnels and retries get a new connection: an idle one may be what just failed.
    const fresh = ex.upgrade !== null || ex.attempt > 0;
    const conn = this.ctx.connections.take(upstream.host, upstream.port, this, fresh);
    ex.conn = conn;
    if (!conn.socket.connecting) {
      this.sendHead(ex);
      return;
    }
    // Nothing more of the request is read until an upstream took it, so it can still be resent.
    this.client.pause();
    conn.socket.once('connect', () => {
      if (this.ex === ex && ex.conn === conn) this.sendHead(ex);
    });
  }

  private sendHead(ex: Exchange): void {
    ex.connected = true;
    const socket = (ex.conn as UpstreamConnection).socket;
    const flowing = socket.write(ex.replay as Buffer);
    // Only a repeatable request without a body is resent on a connection closed under it.
    if (!REPEATABLE.has(ex.head.method) || ex.requestBody.hasBody) ex.replay = null;
    if (ex.requestBody.done) return;
    if (flowing) this.client.resume();
    else this.client.pause(); // until the upstream drains
  }

  private forwardRequestBody(chunk: Buffer): void {
    const ex = this.ex as Exchange;
    let n: number;
    try {
      n = ex.requestBody.advance(chunk);
    } catch (error) {
      this.fail(error instanceof WireError ? error.status : 400, 'malformed request body');
      return;
    }
    ex.bytesIn += n;
    const part = n === chunk.length ? chunk : chunk.subarray(0, n);
    if (!ex.connected) ex.replay = Buffer.concat([ex.replay ?? Buffer.alloc(0), part]);
    else if (n > 0 && !ex.conn?.socket.write(part)) this.client.pause();
    if (n < chunk.length) {
      this.pending = chunk.subarray(n);
      this.client.pause();
    }
    if (ex.requestBody.done && ex.responseDone) this.finish();
  }

  onUpstreamDrain(): void {
    const ex = this.ex;
    if (ex && (ex.tunnel || !ex.requestBody.done)) this.client.resume();
  }

  onUpstreamData(chunk: Buffer): void {
    const ex = this.ex as Exchange;
    if (ex.tunnel) {
      ex.bytesOut += chunk.length;
      if (!this.client.write(chunk)) ex.conn?.socket.pause();
      return;
    }
    ex.answered = true;
    ex.replay = null;
    if (ex.response) {
      this.forwardResponseBody(chunk, 0);
      return;
    }
    ex.responseBuf = ex.responseBuf ? Buffer.concat([ex.responseBuf, chunk]) : chunk;
    // Head and first body bytes leave in one write (one system call instead of two).
    this.client.cork();
    this.readResponseHead(ex);
    this.client.uncork();
  }

  private readResponseHead(ex: Exchange): void {
    const step = readResponseHeads(ex, (interim) => this.client.write(interim));
    if (step.kind === 'wait') return;
    if (step.kind === 'broken') {
      this.upstreamBroken(ex);
      return;
    }
    if (step.kind === 'tunnel') {
      this.startTunnel(ex, step.head, step.rest);
      return;
    }
    this.client.write(step.head);
    if (ex.responseBody?.done) {
      if (step.rest.length > 0) ex.reusable = false; // bytes after the end: not to be trusted again
      this.responseComplete(ex);
    } else if (step.rest.length > 0) this.forwardResponseBody(step.rest, 0);
  }

  private forwardResponseBody(buf: Buffer, start: number): void {
    const ex = this.ex as Exchange;
    let n: number;
    try {
      n = (ex.responseBody as BodyTracker).advance(buf, start);
    } catch {
      this.upstreamBroken(ex);
      return;
    }
    if (n > 0) {
      ex.bytesOut += n;
      const part = start === 0 && n === buf.length ? buf : buf.subarray(start, start + n);
      if (!this.client.write(part)) ex.conn?.socket.pause();
    }
    if (!ex.responseBody?.done) return;
    if (start + n < buf.length) ex.reusable = false; // bytes after the end: not to be trusted again
    this.responseComplete(ex);
  }

  private responseComplete(ex: Exchange): void {
    ex.responseDone = true;
    if (ex.upstream)
      this.ctx.record(ex.upstream, ex.response?.status ?? 502, ex.startedAt, ex.bytesIn, ex.bytesOut);
    ex.closeActive();
    if (ex.requestBody.done) this.finish();
    else {
      // Answered before the whole request arrived: the rest of it is not read, the connection ends.
      ex.reusable = false;
      this.finish();
    }
  }

  /** The exchange is over: the upstream connection goes back (or away), the next request starts. */
  private finish(): void {
    const ex = this.ex as Exchange;
    this.ex = null;
    const conn = ex.conn;
    if (conn) {
      const keep = ex.reusable && ex.requestBody.done && ex.upstream !== null && this.ctx.wanted(ex.upstream);
      if (keep) conn.socket.resume();
      this.ctx.connections.release(conn, keep);
    }
    if (ex.closeClient || this.clientEnded) {
      this.refused = true;
      this.client.end();
      return;
    }
    this.nextRequest();
  }

  private startTunnel(ex: Exchange, head: Buffer, rest: Buffer): void {
    ex.tunnel = true;
    this.client.write(head);
    if (rest.length > 0) {
      ex.bytesOut += rest.length;
      this.client.write(rest);
    }
    // Bytes the client sent after its upgrade request belong to the new protocol.
    const early = this.pending;
    this.pending = null;
    if (early) {
      ex.bytesIn += early.length;
      ex.conn?.socket.write(early);
    }
    this.client.resume();
  }

  onUpstreamEnd(): void {
    const ex = this.ex;
    if (!ex) return;
    if (!ex.tunnel && ex.response && ex.responseBody && !ex.responseBody.done) {
      // A body that ends with the connection is complete now; any other is cut short.
      if (ex.responseBody.kind === 'close') {
        ex.reusable = false;
        this.responseComplete(ex);
        return;
      }
    }
    ex.conn?.socket.destroy();
  }

  onUpstreamClose(): void {
    const ex = this.ex;
    if (!ex) return;
    if (ex.tunnel) {
      this.endTunnel(ex);
      return;
    }
    ex.closeActive();
    if (ex.conn) ex.conn.user = null;
    ex.conn = null;
    if (!ex.answered) {
      // Nothing came back: resend if nothing of it can have been acted on.
      if (ex.replay !== null && !this.client.destroyed) {
        ex.attempt++;
        ex.connected = false;
        this.dispatch();
        return;
      }
      this.fail(502, 'no upstream answered');
      return;
    }
    // Cut off mid-answer: the client cannot be told otherwise than by closing.
    if (ex.upstream) this.ctx.record(ex.upstream, null, ex.startedAt, ex.bytesIn, ex.bytesOut);
    this.ex = null;
    this.client.destroy();
  }

  private endTunnel(ex: Exchange): void {
    this.ex = null;
    if (ex.conn) ex.conn.user = null;
    ex.conn?.socket.destroy();
    this.client.destroy();
    ex.closeActive();
    if (ex.upstream) this.ctx.record(ex.upstream, 101, ex.startedAt, ex.bytesIn, ex.bytesOut);
  }

  /** The upstream sent something that is not HTTP: 502 if nothing was passed on yet. */
  private upstreamBroken(ex: Exchange): void {
    if (ex.conn) ex.conn.user = null;
    ex.conn?.socket.destroy();
    ex.conn = null;
    if (!ex.response) {
      this.fail(502, 'the upstream answered with malformed HTTP');
      return;
    }
    if (ex.upstream) this.ctx.record(ex.upstream, null, ex.startedAt, ex.bytesIn, ex.bytesOut);
    ex.closeActive();
    this.ex = null;
    this.client.destroy();
  }

  /** Ends the exchange with the proxy's own answer (and the connection). */
  private fail(status: 400 | 431 | 501 | 502 | 503 | 505, text: string): void {
    const ex = this.ex;
    if (ex) {
      this.ex = null;
      if (ex.conn) {
        ex.conn.user = null;
        ex.conn.socket.destroy();
      }
      ex.closeActive();
      if (status === 502 && ex.upstream) this.ctx.record(ex.upstream, null, ex.startedAt, ex.bytesIn, 0);
      if (ex.response) {
        this.client.destroy();
        return;
      }
      // The whole request was read: the client may go on using its connection.
      if ((status === 502 || status === 503) && ex.requestBody.done && !ex.closeClient && !this.clientEnded) {
        this.client.write(proxyAnswer(status, text, true));
        this.nextRequest();
        return;
      }
    }
    this.refuse(status, text);
  }

  private clearHeadTimer(): void {
    if (this.headTimer) clearTimeout(this.headTimer);
    this.headTimer = null;
  }

  private refuse(status: number, text: string): void {
    this.clearHeadTimer();
    this.refused = true;
    this.pending = null;
    this.client.end(proxyAnswer(status, text));
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    const ex = this.ex;
    if (!ex) {
      this.client.end();
      return;
    }
    // A tunnel or a request cut short ends here; a complete request still gets its answer.
    if (ex.tunnel || !ex.requestBody.done) this.client.destroy();
  }

  private onClientClose(): void {
    this.clearHeadTimer();
    const ex = this.ex;
    if (!ex) return;
    if (ex.tunnel) {
      this.endTunnel(ex);
      return;
    }
    this.ex = null;
    if (ex.conn) {
      ex.conn.user = null;
      ex.conn.socket.destroy();
    }
    ex.closeActive();
  }
}
