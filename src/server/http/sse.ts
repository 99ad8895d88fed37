import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * One Server-Sent Events response. Writes report backpressure instead of hiding it: `send`
 * returns false once the socket's buffer is full, and the caller stops producing until
 * `onDrain` fires — so a slow client costs a bounded buffer, never growing server memory.
 */
export interface SseStream {
  send(event: string, data: string, id?: string): boolean;
  /** A comment line (`: text`): keeps proxies from closing an idle stream. */
  comment(text: string): boolean;
  /** Calls `listener` once, the next time the socket buffer has drained. */
  onDrain(listener: () => void): void;
  /** Calls `listener` once when the stream ends, by either side. */
  onClose(listener: () => void): void;
  close(): void;
  readonly closed: boolean;
  /** Bytes written but not yet taken by the socket. */
  readonly buffered: number;
}

/** Open SSE streams of one server, ended on shutdown (they would otherwise hold `close()` open). */
export type SseStreams = Set<SseStream>;

export function trackSseStreams(app: FastifyInstance): SseStreams {
  const streams: SseStreams = new Set();
  app.addHook('preClose', (done) => {
    for (const stream of [...streams]) stream.close();
    done();
  });
  return streams;
}

/** Takes over the reply (fastify no longer sends it) and starts the event stream. */
export function openSse(reply: FastifyReply, streams: SseStreams): SseStream {
  const raw = reply.raw;
  reply.hijack();
  // Headers other hooks set (security headers) still apply to a hijacked reply.
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) raw.setHeader(name, value);
  }
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx and similar proxies buffer responses unless told not to.
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();

  let closed = false;
  const closeListeners: (() => void)[] = [];
  const stream: SseStream = {
    get closed() {
      return closed;
    },
    get buffered() {
      return raw.writableLength;
    },
    send(event, data, id) {
      if (closed) return false;
      const idLine = id === undefined ? '' : `id: ${id}\n`;
      // A data field cannot hold a newline; JSON never has raw ones, but be safe for any text.
      const dataLines = data
        .split('\n')
        .map((l) => `data: ${l}\n`)
        .join('');
      return raw.write(`${idLine}event: ${event}\n${dataLines}\n`);
    },
    comment(text) {
      if (closed) return false;
      return raw.write(`: ${text}\n\n`);
    },
    onDrain(listener) {
      raw.once('drain', listener);
    },
    onClose(listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
    close() {
      if (!closed) raw.end();
      finish();
    },
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    streams.delete(stream);
    for (const listener of closeListeners.splice(0)) listener();
  };
  raw.on('close', finish);
  raw.on('error', finish);
  streams.add(stream);
  return stream;
}
