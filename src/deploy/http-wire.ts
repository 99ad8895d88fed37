/**
 * Just enough of HTTP/1.1's message syntax (RFC 9112) for a forwarding proxy: where a head ends,
 * what it says (request/status line and header fields), and where the body that follows ends
 * (Content-Length, chunked, or the connection's close). The proxy forwards body bytes exactly as
 * they came, so it must find message boundaries exactly as the application will: anything
 * ambiguous (both Content-Length and Transfer-Encoding, differing lengths, folded or malformed
 * lines, bare LF) is refused instead of guessed — that is what request smuggling feeds on.
 */

export const MAX_HEAD_BYTES = 64 * 1024;

export interface MessageHead {
  version: '1.0' | '1.1';
  /** Field lines as sent (name case kept), values trimmed. */
  fields: [string, string][];
}

export interface RequestHead extends MessageHead {
  method: string;
  target: string;
}

export interface ResponseHead extends MessageHead {
  status: number;
  reason: string;
}

export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Until the upstream closes (responses only). */
  | { kind: 'close' };

/** Why a request cannot be forwarded, with the status the proxy answers. */
export class WireError extends Error {
  constructor(
    readonly status: 400 | 431 | 501 | 505,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, SP and HTAB; no CR, LF, NUL or other controls.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Index just past the blank line that ends a head in `buf`, or -1 while it is incomplete. */
export function headEnd(buf: Buffer): number {
  const at = buf.indexOf(CRLFCRLF);
  return at < 0 ? -1 : at + 4;
}

function splitLines(head: Buffer): string[] {
  const text = head.toString('latin1', 0, head.length - 4);
  const lines = text.split('\r\n');
  for (const line of lines) {
    if (line.includes('\n') || line.includes('\r')) throw new WireError(400, 'bare CR or LF in the head');
  }
  return lines;
}

function parseFields(lines: string[]): [string, string][] {
  const fields: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith(' ') || line.startsWith('\t')) throw new WireError(400, 'folded header line');
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new WireError(400, `malformed header line ${i}`);
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) throw new WireError(400, `invalid characters in header ${name}`);
    fields.push([name, value]);
  }
  return fields;
}

/** Parses a complete request head (`head` ends with the blank line). */
export function parseRequestHead(head: Buffer): RequestHead {
  const lines = splitLines(head);
  const parts = (lines[0] ?? '').split(' ');
  const [method = '', target = '', protocol = ''] = parts;
  if (parts.length !== 3 || !TOKEN.test(method) || !TARGET.test(target))
    throw new WireError(400, 'malformed request line');
  if (protocol !== 'HTTP/1.1' && protocol !== 'HTTP/1.0') {
    if (/^HTTP\/\d\.\d$/.test(protocol)) throw new WireError(505, `unsupported version ${protocol}`);
    throw new WireError(400, 'malformed request line');
  }
  if (method === 'CONNECT') throw new WireError(501, 'CONNECT is not proxied');
  return { method, target, version: protocol === 'HTTP/1.1' ? '1.1' : '1.0', fields: parseFields(lines) };
}

/** Parses a complete response head; an upstream speaking nonsense is an Error (the proxy's 502). */
export function parseResponseHead(head: Buffer): ResponseHead {
  const lines = splitLines(head);
  const match = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!match) throw new Error('malformed status line from the upstream');
  return {
    version: match[1] === '1' ? '1.1' : '1.0',
    status: Number(match[2]),
    reason: match[3] ?? '',
    fields: parseFields(lines),
  };
}

/** Every value of a field (comma lists split), lower-cased: for Connection, Transfer-Encoding. */
export function fieldTokens(fields: [string, string][], name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of fields) {
    if (n.length !== name.length || n.toLowerCase() !== name) continue;
    for (const part of v.split(',')) {
      const token = part.trim().toLowerCase();
      if (token) out.push(token);
    }
  }
  return out;
}

function contentLength(fields: [string, string][]): number | null {
  let found: string | null = null;
  for (const [n, v] of fields) {
    if (n.length !== 14 || n.toLowerCase() !== 'content-length') continue;
    // "5, 5" and repeated equal values are tolerated (RFC 9112 §6.3); different ones are not.
    for (const part of v.split(',')) {
      const value = part.trim();
      if (!/^\d{1,15}$/.test(value)) throw new WireError(400, 'invalid Content-Length');
      if (found !== null && found !== value) throw new WireError(400, 'conflicting Content-Length');
      found = value;
    }
  }
  return found === null ? null : Number(found);
}

/** How the body of a request ends; requests without a length have none. */
export function requestFraming(head: RequestHead): BodyFraming {
  const codings = fieldTokens(head.fields, 'transfer-encoding');
  const length = contentLength(head.fields);
  if (codings.length > 0) {
    if (length !== null) throw new WireError(400, 'both Content-Length and Transfer-Encoding');
    if (head.version === '1.0') throw new WireError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (codings.length !== 1 || codings[0] !== 'chunked')
      throw new WireError(501, `unsupported Transfer-Encoding ${codings.join(', ')}`);
    return { kind: 'chunked' };
  }
  if (length === null || length === 0) return { kind: 'none' };
  return { kind: 'length', length };
}

/** How the body of a response ends (RFC 9112 §6.3), given the request it answers. */
export function responseFraming(head: ResponseHead, requestMethod: string): BodyFraming {
  if (requestMethod === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304)
    return { kind: 'none' };
  const codings = fieldTokens(head.fields, 'transfer-encoding');
  if (codings.length > 0) {
    return codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  const length = contentLength(head.fields);
  if (length === null) return { kind: 'close' };
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
  TrailerLf,
  Done,
}

/**
 * Follows a body through the bytes that carry it, without copying them: `advance` says how
 * many bytes of a buffer still belong to the body, and `done` when it has ended.
 */
export class BodyTracker {
  private remaining: number;
  private state = Chunk.Size;
  private sizeDigits = 0;
  private lineLength = 0;

  constructor(private readonly framing: BodyFraming) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    if (framing.kind === 'none') this.state = Chunk.Done;
    if (framing.kind === 'length' && framing.length === 0) this.state = Chunk.Done;
  }

  get done(): boolean {
    return this.state === Chunk.Done;
  }

  get kind(): BodyFraming['kind'] {
    return this.framing.kind;
  }

  /** Whether the message has a body at all (a request without one can safely be resent). */
  get hasBody(): boolean {
    return this.framing.kind !== 'none';
  }

  /** Bytes of `buf` from `start` that belong to the body; throws WireError on bad chunking. */
  advance(buf: Buffer, start = 0): number {
    if (this.state === Chunk.Done) return 0;
    const kind = this.framing.kind;
    if (kind === 'close') return buf.length - start;
    if (kind === 'length') {
      const take = Math.min(this.remaining, buf.length - start);
      this.remaining -= take;
      if (this.remaining === 0) this.state = Chunk.Done;
      return take;
    }
    let i = start;
    while (i < buf.length && !this.done) i = this.step(buf, i);
    return i - start;
  }

  /** One step of the chunked-coding state machine; returns the next index. */
  private step(buf: Buffer, i: number): number {
    const byte = buf[i] as number;
    switch (this.state) {
      case Chunk.Size: {
        const digit = hexValue(byte);
        if (digit >= 0) {
          if (++this.sizeDigits > 12) throw new WireError(400, 'chunk size too large');
          this.remaining = this.remaining * 16 + digit;
          return i + 1;
        }
        if (this.sizeDigits === 0) throw new WireError(400, 'malformed chunk size');
        if (byte === 0x3b) this.state = Chunk.Extension;
        else if (byte === 0x0d) this.state = Chunk.SizeLf;
        else throw new WireError(400, 'malformed chunk size');
        return i + 1;
      }
      case Chunk.Extension:
        if (byte === 0x0d) this.state = Chunk.SizeLf;
        else if (byte === 0x0a || byte === 0) throw new WireError(400, 'malformed chunk extension');
        return i + 1;
      case Chunk.SizeLf:
        if (byte !== 0x0a) throw new WireError(400, 'chunk size line without LF');
        this.sizeDigits = 0;
        if (this.remaining === 0) {
          this.state = Chunk.Trailer;
          this.lineLength = 0;
        } else this.state = Chunk.Data;
        return i + 1;
      case Chunk.Data: {
        const take = Math.min(this.remaining, buf.length - i);
        this.remaining -= take;
        if (this.remaining === 0) this.state = Chunk.DataCr;
        return i + take;
      }
      case Chunk.DataCr:
        if (byte !== 0x0d) throw new WireError(400, 'chunk data longer than its size');
        this.state = Chunk.DataLf;
        return i + 1;
      case Chunk.DataLf:
        if (byte !== 0x0a) throw new WireError(400, 'chunk data without CRLF');
        this.state = Chunk.Size;
        return i + 1;
      case Chunk.Trailer:
        // Trailer lines until an empty one; their content is the application's business.
        if (byte === 0x0d) this.state = Chunk.TrailerLf;
        else if (byte === 0x0a) throw new WireError(400, 'bare LF in trailer');
        else if (++this.lineLength > MAX_HEAD_BYTES) throw new WireError(431, 'trailer too large');
        return i + 1;
      case Chunk.TrailerLf:
        if (byte !== 0x0a) throw new WireError(400, 'bare CR in trailer');
        if (this.lineLength === 0) this.state = Chunk.Done;
        else {
          this.state = Chunk.Trailer;
          this.lineLength = 0;
        }
        return i + 1;
      default:
        return buf.length;
    }
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}
