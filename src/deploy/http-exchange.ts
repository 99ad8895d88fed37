/**
 * One request/response exchange of the HTTP proxy, and the two places its heads are read: the
 * request head that opens it (with the body bytes that came along) and the response heads that
 * answer it (interim 1xx ones passed on, then the final one, or a 101 that makes a tunnel).
 * The socket work stays in http-client-connection.ts; this is what it knows about one exchange.
 */
import { requestHeadBytes, responseHeadBytes } from './http-head-rewrite.js';
import {
  BodyTracker,
  fieldTokens,
  headEnd,
  MAX_HEAD_BYTES,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
  requestFraming,
  responseFraming,
} from './http-wire.js';
import type { UpstreamConnection, UpstreamConnections } from './upstream-connections.js';
import type { Upstream } from './upstream-pool.js';

/** Methods whose request may be sent again when nobody answered it (RFC 9110 §9.2.2). */
export const REPEATABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** What a client connection needs of its proxy. */
export interface ProxyContext {
  pick(): Upstream | null;
  upstreamCount(): number;
  connections: UpstreamConnections;
  /** Counts an exchange as open to `host` until the returned function is called. */
  open(host: string): () => void;
  record(
    upstream: Upstream,
    status: number | null,
    startedAt: number,
    bytesIn: number,
    bytesOut: number,
  ): void;
  /** Whether idle connections to this upstream are still worth keeping. */
  wanted(upstream: Upstream): boolean;
  /** How long a request head may take to arrive once it started (slow-header clients). */
  headTimeoutMs: number;
}

export interface Exchange {
  head: RequestHead;
  /** The head (and the body bytes read with it) as sent on, kept while the request may be resent. */
  replay: Buffer | null;
  upgrade: string | null;
  startedAt: number;
  attempt: number;
  requestBody: BodyTracker;
  upstream: Upstream | null;
  conn: UpstreamConnection | null;
  connected: boolean;
  closeActive: () => void;
  responseBuf: Buffer | null;
  response: ResponseHead | null;
  responseBody: BodyTracker | null;
  /** Whether any byte of an answer came back (then the request is never resent). */
  answered: boolean;
  responseDone: boolean;
  tunnel: boolean;
  /** Whether the upstream connection can serve another request afterwards. */
  reusable: boolean;
  closeClient: boolean;
  bytesIn: number;
  bytesOut: number;
}

/**
 * Opens the exchange for the request whose head ends at `end` of `buf`; throws WireError for a
 * request the proxy refuses. `leftover` is what follows this request's body (a pipelined one).
 */
export function openExchange(
  buf: Buffer,
  end: number,
  clientAddress: string,
): { ex: Exchange; leftover: Buffer | null } {
  const head = parseRequestHead(buf.subarray(0, end));
  const requestBody = new BodyTracker(requestFraming(head));
  const connection = fieldTokens(head.fields, 'connection');
  const upgradeTo = head.fields.find(([n]) => n.length === 7 && n.toLowerCase() === 'upgrade')?.[1];
  const upgrade = upgradeTo && connection.includes('upgrade') ? upgradeTo : null;
  const rest = buf.subarray(end);
  const bodyBytes = requestBody.advance(rest);
  const headBytes = requestHeadBytes(head, clientAddress, upgrade);
  const ex: Exchange = {
    head,
    replay: bodyBytes > 0 ? Buffer.concat([headBytes, rest.subarray(0, bodyBytes)]) : headBytes,
    upgrade,
    startedAt: performance.now(),
    attempt: 0,
    requestBody,
    upstream: null,
    conn: null,
    connected: false,
    closeActive: () => {},
    responseBuf: null,
    response: null,
    responseBody: null,
    answered: false,
    responseDone: false,
    tunnel: false,
    reusable: false,
    closeClient: head.version === '1.0' || connection.includes('close'),
    bytesIn: bodyBytes,
    bytesOut: 0,
  };
  return { ex, leftover: end + bodyBytes < buf.length ? buf.subarray(end + bodyBytes) : null };
}

export type ResponseStep =
  /** The head is not complete yet. */
  | { kind: 'wait' }
  /** Not HTTP, an oversized head, or a 101 nobody asked for. */
  | { kind: 'broken' }
  /** 101: `head` goes to the client as it is; from `rest` on, bytes flow both ways untouched. */
  | { kind: 'tunnel'; head: Buffer; rest: Buffer }
  /** The final head (rewritten, in `head`) and the first body bytes after it. */
  | { kind: 'final'; head: Buffer; rest: Buffer };

/** Reads the response heads in `ex.responseBuf`; interim (1xx) heads go to `interim` as they are. */
export function readResponseHeads(ex: Exchange, interim: (head: Buffer) => void): ResponseStep {
  for (;;) {
    const buf = ex.responseBuf as Buffer;
    const end = headEnd(buf);
    if (end < 0) return buf.length > MAX_HEAD_BYTES ? { kind: 'broken' } : { kind: 'wait' };
    let head: ResponseHead;
    let body: BodyTracker;
    try {
      head = parseResponseHead(buf.subarray(0, end));
      body = new BodyTracker(responseFraming(head, ex.head.method));
    } catch {
      return { kind: 'broken' };
    }
    const rest = buf.subarray(end);
    ex.responseBuf = null;
    if (head.status === 101) {
      return ex.upgrade === null ? { kind: 'broken' } : { kind: 'tunnel', head: buf.subarray(0, end), rest };
    }
    if (head.status < 200) {
      // 100 Continue, 103 Early Hints: passed on; the final answer follows.
      interim(buf.subarray(0, end));
      if (rest.length === 0) return { kind: 'wait' };
      ex.responseBuf = rest;
      continue;
    }
    ex.response = head;
    ex.responseBody = body;
    ex.reusable =
      head.version === '1.1' &&
      body.kind !== 'close' &&
      ex.upgrade === null &&
      !fieldTokens(head.fields, 'connection').includes('close');
    // A declined upgrade, a body ending with the connection, or an answer before the whole
    // request arrived (its rest is never read): the client's connection ends with this answer.
    if (body.kind === 'close' || ex.upgrade !== null || !ex.requestBody.done) ex.closeClient = true;
    return { kind: 'final', head: responseHeadBytes(head, ex.closeClient, body.kind === 'chunked'), rest };
  }
}
