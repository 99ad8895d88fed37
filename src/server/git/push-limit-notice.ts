import { Transform, type TransformCallback } from 'node:stream';
import { formatByteSize } from '../../domain/byte-size.js';

/**
 * git's own refusal of a too-large push ("pack exceeds maximum allowed size") does not say what
 * the limit is. This passes receive-pack's answer through unchanged and, right after git's
 * side-band message about it, adds one that names the limit and the setting that raises it; the
 * client prints it as `remote: …`. The answer is a stream of pkt-lines; anything else (or an
 * answer without side-band) is passed on untouched.
 */

const GIT_SAYS = 'maximum allowed size';

export class PushLimitNotice extends Transform {
  private pending = Buffer.alloc(0);
  private passThrough = false;
  private told = false;

  constructor(private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.passThrough || this.told) {
      done(null, chunk);
      return;
    }
    let buffer = Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    while (buffer.length >= 4) {
      const head = buffer.subarray(0, 4).toString('latin1');
      if (!/^[0-9a-f]{4}$/i.test(head)) {
        this.passThrough = true;
        break;
      }
      const length = Math.max(Number.parseInt(head, 16), 4);
      if (buffer.length < length) break;
      const packet = buffer.subarray(0, length);
      out.push(packet);
      buffer = buffer.subarray(length);
      if (!this.told && packet[4] === 2 && packet.subarray(5).toString('utf8').includes(GIT_SAYS)) {
        out.push(this.notice());
        this.told = true;
      }
    }
    if (this.passThrough || this.told) {
      out.push(buffer);
      this.pending = Buffer.alloc(0);
    } else {
      this.pending = buffer;
    }
    done(null, Buffer.concat(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pending);
  }

  private notice(): Buffer {
    const text = `\u0002Slipway accepts pushes of at most ${formatByteSize(this.limitBytes)} (${this.limitBytes} bytes, SLIPWAY_GIT_MAX_PUSH_BYTES)\n`;
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([Buffer.from((bytes.length + 4).toString(16).padStart(4, '0'), 'latin1'), bytes]);
  }
}
