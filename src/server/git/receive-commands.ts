import { PassThrough, type Readable } from 'node:stream';

/**
 * The ref updates a push asks for, read off the front of a receive-pack request *before* git
 * sees any of it: pkt-lines `<old> <new> <ref>[\0capabilities]` up to the first flush-pkt, then
 * the pack, which is not looked at. Reading them first lets the route refuse the push (invalid
 * ref names, a database it cannot write) and record the updates before git acts on them, so an
 * acknowledged push always has its runs. Knowing exactly which refs *this* push meant to move
 * also keeps another, concurrent push's refs out of its runs.
 */

export interface RefCommand {
  ref: string;
  /** All zeros when the push creates the ref. */
  oldOid: string;
  /** All zeros when the push deletes the ref. */
  newOid: string;
}

export interface ReceiveCommands {
  commands: RefCommand[];
  /** What the client asked for on its first command (`report-status`, `side-band-64k`…). */
  capabilities: string[];
  /** The list ended with its flush-pkt; false when it was cut short, too long or malformed. */
  complete: boolean;
  /** The whole request body again, from its first byte, for git. */
  body: Readable;
}

const COMMAND = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/[^\s\0]+)$/;
/** The command list is small; a push announcing more than this is not parsed further. */
const MAX_COMMAND_BYTES = 1024 * 1024;

/** Reads the commands (never more than MAX_COMMAND_BYTES) and hands back the body intact. */
export function readReceiveCommands(source: Readable): Promise<ReceiveCommands> {
  return new Promise((resolve, reject) => {
    const seen: Buffer[] = [];
    const parser = new CommandParser();
    const finish = () => {
      source.off('data', onData);
      source.off('end', finish);
      source.off('error', onError);
      source.pause();
      const body = new PassThrough();
      body.write(Buffer.concat(seen));
      if (source.readableEnded) body.end();
      else {
        source.on('error', (error) => body.destroy(error));
        source.pipe(body);
      }
      resolve({
        commands: parser.commands,
        capabilities: parser.capabilities,
        complete: parser.complete,
        body,
      });
    };
    const onData = (chunk: Buffer) => {
      seen.push(chunk);
      if (!parser.feed(chunk)) finish();
    };
    const onError = (error: Error) => {
      source.off('data', onData);
      source.off('end', finish);
      reject(error);
    };
    source.on('data', onData);
    source.once('end', finish);
    source.once('error', onError);
  });
}

/** Incremental pkt-line reader of the command list. */
class CommandParser {
  readonly commands: RefCommand[] = [];
  capabilities: string[] = [];
  complete = false;
  private pending = Buffer.alloc(0);

  /** False once the command list is over (flush-pkt, not a pkt-line, or too long). */
  feed(chunk: Buffer): boolean {
    let buffer = Buffer.concat([this.pending, chunk]);
    while (buffer.length >= 4) {
      const head = buffer.subarray(0, 4).toString('latin1');
      // Not a pkt-line: stop looking; the flush-pkt `0000` ends the commands.
      if (!/^[0-9a-f]{4}$/i.test(head)) return false;
      const length = Number.parseInt(head, 16);
      if (length < 4) {
        this.complete = length === 0;
        return false;
      }
      if (buffer.length < length) break;
      this.record(buffer.subarray(4, length).toString('utf8'));
      buffer = buffer.subarray(length);
    }
    this.pending = buffer;
    return buffer.length <= MAX_COMMAND_BYTES;
  }

  private record(line: string): void {
    const [text = '', caps] = line.replace(/\n$/, '').split('\0');
    if (caps !== undefined && this.capabilities.length === 0) {
      this.capabilities = caps.split(' ').filter((c) => c.length > 0);
    }
    const match = COMMAND.exec(text);
    if (!match) return; // shallow lines, push certificates' headers…
    const [, oldOid, newOid, ref] = match as unknown as [string, string, string, string];
    if (!this.commands.some((c) => c.ref === ref)) this.commands.push({ ref, oldOid, newOid });
  }
}
