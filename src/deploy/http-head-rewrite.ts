/**
 * The heads the proxy sends on: the request without the client's hop-by-hop fields and with
 * `X-Forwarded-*` saying who asked; the response without the upstream's connection management
 * (its keep-alive is not the client's). Body framing fields stay as they are, because the body
 * bytes are forwarded as they are.
 */
import { fieldTokens, type RequestHead, type ResponseHead } from './http-wire.js';

/** Hop-by-hop fields (RFC 9110 §7.6.1) the proxy never forwards. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'upgrade',
]);
/** Rebuilt by the proxy from what the client sent. */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);
/** A `Connection: content-length` must not make the proxy drop the body's framing. */
const NEVER_DROPPED = new Set(['content-length', 'transfer-encoding', 'host']);

function droppedByConnection(fields: [string, string][]): Set<string> {
  const dropped = new Set<string>();
  for (const token of fieldTokens(fields, 'connection')) if (!NEVER_DROPPED.has(token)) dropped.add(token);
  return dropped;
}

export function requestHeadBytes(head: RequestHead, clientAddress: string, upgrade: string | null): Buffer {
  const dropped = droppedByConnection(head.fields);
  let text = `${head.method} ${head.target} HTTP/${head.version}\r\n`;
  let forwardedFor = '';
  let proto = '';
  let forwardedHost = '';
  let host = '';
  for (const [name, value] of head.fields) {
    const lower = name.toLowerCase();
    if (FORWARDED.has(lower)) {
      if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${value}` : value;
      else if (lower === 'x-forwarded-proto') proto ||= value;
      else forwardedHost ||= value;
      continue;
    }
    if (HOP_BY_HOP.has(lower) || dropped.has(lower)) continue;
    if (lower === 'host') host = value;
    text += `${name}: ${value}\r\n`;
  }
  text += `x-forwarded-for: ${forwardedFor ? `${forwardedFor}, ${clientAddress}` : clientAddress}\r\n`;
  text += `x-forwarded-proto: ${proto || 'http'}\r\nx-forwarded-host: ${forwardedHost || host}\r\n`;
  if (upgrade !== null) text += `connection: Upgrade\r\nupgrade: ${upgrade}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** `chunked`: the body is chunked, so a Content-Length beside it is dropped (RFC 9112 §6.3). */
export function responseHeadBytes(head: ResponseHead, close: boolean, chunked: boolean): Buffer {
  const dropped = droppedByConnection(head.fields);
  let text = `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
  for (const [name, value] of head.fields) {
    const lower = name.toLowerCase();
    if (lower === 'connection' || lower === 'keep-alive' || lower === 'proxy-connection') continue;
    if (dropped.has(lower) || (chunked && lower === 'content-length')) continue;
    text += `${name}: ${value}\r\n`;
  }
  if (close) text += 'connection: close\r\n';
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** What the proxy answers itself: a short plain-text body (and, unless kept, the connection's end). */
export function proxyAnswer(status: number, text: string, keepAlive = false): string {
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    408: 'Request Timeout',
    431: 'Request Header Fields Too Large',
    501: 'Not Implemented',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    505: 'HTTP Version Not Supported',
  };
  const body = `${text}\n`;
  return (
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n${keepAlive ? '' : 'connection: close\r\n'}\r\n${body}`
  );
}
