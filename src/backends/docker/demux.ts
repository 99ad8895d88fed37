/**
 * Splits Docker's multiplexed attach stream (no TTY) into stdout and stderr.
 * Each frame is an 8-byte header — stream id (1 stdout, 2 stderr), three zero bytes, payload
 * length as big-endian uint32 — followed by the payload. Payloads are handed on as slices of the
 * incoming chunk, without copying; a frame split across chunks is delivered in pieces, which
 * the JobOutput contract allows ("may split lines anywhere").
 */
export type StreamName = 'stdout' | 'stderr';

export class Demuxer {
  private readonly header = Buffer.alloc(8);
  private headerFill = 0;
  private remaining = 0;
  private current: StreamName = 'stdout';

  constructor(private readonly emit: (stream: StreamName, chunk: Buffer) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const end = Math.min(chunk.length, offset + this.remaining);
        this.emit(this.current, chunk.subarray(offset, end));
        this.remaining -= end - offset;
        offset = end;
        continue;
      }
      if (this.headerFill === 0 && chunk.length - offset >= 8) {
        // Common case: the whole header is in this chunk; read it in place.
        this.startFrame(chunk, offset);
        offset += 8;
        continue;
      }
      const take = Math.min(8 - this.headerFill, chunk.length - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + take);
      this.headerFill += take;
      offset += take;
      if (this.headerFill < 8) return;
      this.headerFill = 0;
      this.startFrame(this.header, 0);
    }
  }

  private startFrame(header: Buffer, at: number): void {
    // Stream 0 (stdin) never occurs without OpenStdin; anything but 2 is treated as stdout.
    this.current = header[at] === 2 ? 'stderr' : 'stdout';
    this.remaining = header.readUInt32BE(at + 4);
  }

  /** Whether the stream stopped inside a frame (output was cut off). */
  get truncated(): boolean {
    return this.remaining > 0 || this.headerFill > 0;
  }
}
