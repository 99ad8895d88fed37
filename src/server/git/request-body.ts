import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * A git request body as git http-backend should get it: decompressed when the client gzipped it
 * (git does for large fetch negotiations) and cut off past a byte budget, counted after
 * decompression so a small gzip bomb cannot inflate without bound. Past the budget the stream
 * fails, which ends the git process (see http-backend.ts).
 */

export class BodyTooLarge extends Error {}

export function gitRequestBody(
  raw: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
): Readable {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const limit = new ByteLimit(maxBytes);
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    return pipeline(raw, createGunzip(), limit, () => {});
  }
  return pipeline(raw, limit, () => {});
}

/** Whether `Content-Encoding` is one gitRequestBody can read. */
export function supportedEncoding(contentEncoding: string | undefined): boolean {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  return encoding === '' || encoding === 'identity' || encoding === 'gzip' || encoding === 'x-gzip';
}

class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new BodyTooLarge(`the request body is over ${this.max} bytes`));
    else done(null, chunk);
  }
}
