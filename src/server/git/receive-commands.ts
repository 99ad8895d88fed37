import { Transform, type TransformCallback } from 'node:stream';

/**
 * The ref updates a push asks for, read off the front of a receive-pack request as it streams
 * through to git: pkt-lines `<old> <new> <ref>[\0capabilities]` up to the first flush-pkt, then
 * the pack, which is passed on untouched and not looked at.
 * Knowing exactly which refs *this* push meant to move lets the route start runs for them only —
 * not for refs another, concurrent push moved (a before/after snapshot would mix the two).
 */

export interface RefCommand {
  ref: string;
  /** All zeros when the push creates the ref. */
  oldOid: string;
  /** All zeros when the push deletes the ref. */
  newOid: string;
}

const COMMAND = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/[^\s\0]+)$/;
/** The command list is small; a push announcing more than this is not parsed further. */
const MAX_COMMAND_BYTES = 1024 * 1024;

export class ReceiveCommandReader extends Transform {
  readonly commands: RefCommand[] = [];
  private pending: Buffer | null = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.pending !== null) this.parse(chunk);
    done(null, chunk);
  }

  private parse(chunk: Buffer): void {
    let buffer = Buffer.concat([this.pending ?? Buffer.alloc(0), chunk]);
    while (buffer.length >= 4) {
      const length = Number.parseInt(buffer.subarray(0, 4).toString('latin1'), 16);
      // Not a pkt-line, or the flush-pkt that ends the commands: stop looking.
      if (Number.isNaN(length) || length < 4) {
        this.pending = null;
        return;
      }
      if (buffer.length < length) break;
      this.record(buffer.subarray(4, length).toString('utf8'));
      buffer = buffer.subarray(length);
    }
    this.pending = buffer.length > MAX_COMMAND_BYTES ? null : buffer;
  }

  private record(line: string): void {
    const text = line.split('\0')[0]!.replace(/\n$/, '');
    const match = COMMAND.exec(text);
    if (!match) return; // shallow lines, push certificates' headers…
    const [, oldOid, newOid, ref] = match as unknown as [string, string, string, string];
    if (!this.commands.some((c) => c.ref === ref)) this.commands.push({ ref, oldOid, newOid });
  }
}
