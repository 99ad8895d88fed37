/**
 * The one place where a job's raw output becomes numbered, masked log lines. Backends hand it
 * byte chunks that may split lines, UTF-8 characters and secrets anywhere; everything
 * downstream (storage, SSE) only ever sees whole lines with secrets already hidden.
 */
import { StringDecoder } from 'node:string_decoder';
import type { JobOutput } from '../backends/backend.js';
import type { LogLine, LogStream } from '../domain/log-line.js';
import type { CodedSystemLine } from '../domain/system-line-codes.js';
import type { SecretMasker } from './secret-masker.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface LineWriterOptions {
  masker: SecretMasker;
  onLine: (line: LogLine) => void;
  /** A line longer than this is broken into several; bounds memory per stream. */
  maxLineBytes?: number;
  /** Output per job beyond this is dropped, so a runaway job cannot fill the disk. */
  maxBytes?: number;
  now?: () => number;
}

/** The incomplete last line of one stream. */
interface PendingLine {
  decoder: StringDecoder;
  text: string;
  bytes: number;
  /** Leading characters of `text` that are the rest of a secret a forced break went through. */
  hidden: number;
}

export class LineWriter implements JobOutput {
  private readonly masker: SecretMasker;
  private readonly onLine: (line: LogLine) => void;
  private readonly maxLineBytes: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly partials: Record<'stdout' | 'stderr', PendingLine>;
  private lines = 0;
  private emittedBytes = 0;
  private dropped = 0;
  private truncated = false;

  constructor(options: LineWriterOptions) {
    this.masker = options.masker;
    this.onLine = options.onLine;
    // At least one character of any size must fit, or a break could make no progress.
    this.maxLineBytes = Math.max(options.maxLineBytes ?? 64 * KiB, 4);
    this.maxBytes = options.maxBytes ?? 64 * MiB;
    this.now = options.now ?? Date.now;
    this.partials = { stdout: newPendingLine(), stderr: newPendingLine() };
  }

  /** Lines emitted so far, which is also the number of the last one. */
  get lineCount(): number {
    return this.lines;
  }

  /** Bytes of job output thrown away after the size cap was reached. */
  get droppedBytes(): number {
    return this.dropped;
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.truncated) {
      this.dropped += chunk.length;
      return;
    }
    const partial = this.partials[stream];
    const text = partial.decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline !== -1) {
      // One timestamp per chunk: its lines all completed at the same moment, and it saves a
      // clock read per line.
      const t = this.now();
      const first = text.slice(0, newline);
      const line = partial.text.length > 0 ? partial.text + first : first;
      const hidden = partial.hidden;
      partial.text = '';
      partial.bytes = 0;
      partial.hidden = 0;
      this.completeLine(stream, line, hidden, t);
      start = newline + 1;
      newline = text.indexOf('\n', start);
      while (newline !== -1 && !this.truncated) {
        this.completeLine(stream, text.slice(start, newline), 0, t);
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      if (this.truncated) {
        this.dropped += Buffer.byteLength(text.slice(start));
        return;
      }
    }
    if (start < text.length) {
      const rest = start === 0 ? text : text.slice(start);
      partial.text += rest;
      partial.bytes += Buffer.byteLength(rest);
      if (partial.bytes > this.maxLineBytes) this.breakPartial(stream, partial);
    }
  }

  /** Slipway's own message; masked too, since it may quote job settings. Never dropped. */
  system(text: string): void {
    const t = this.now();
    for (const line of text.split('\n')) this.emit('system', this.masker.mask(line), t);
  }

  /**
   * A system line with a code and params (domain/system-line-codes.ts) beside its English text.
   * Text params are masked like the text: they may quote a cache key built from a variable.
   */
  systemCode(line: CodedSystemLine): void {
    const t = this.now();
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(line.params))
      params[name] = typeof value === 'string' ? this.masker.mask(value) : value;
    const [first = '', ...rest] = line.text.split('\n');
    this.emit('system', this.masker.mask(first), t, { code: line.code, params });
    for (const more of rest) this.emit('system', this.masker.mask(more), t);
  }

  /** Emits what is left of unterminated last lines, once the job has ended. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.partials[stream];
      const text = partial.text + partial.decoder.end();
      const hidden = partial.hidden;
      partial.text = '';
      partial.bytes = 0;
      partial.hidden = 0;
      if (text.length === 0) continue;
      if (this.truncated) this.dropped += Buffer.byteLength(text);
      else this.completeLine(stream, text, hidden, this.now());
    }
  }

  private completeLine(stream: 'stdout' | 'stderr', raw: string, hidden: number, t: number): void {
    const rawBytes = Buffer.byteLength(raw);
    // Counted with the newline, so a flood of empty lines still reaches the cap.
    if (!this.admit(rawBytes + 1)) return;
    const hasCr = raw.endsWith('\r');
    let rest = hasCr ? raw.slice(0, -1) : raw;
    let restBytes = hasCr ? rawBytes - 1 : rawBytes;
    let restHidden = hidden;
    // Nothing follows a complete line, so its breaks need no characters kept back.
    while (restBytes > this.maxLineBytes) {
      const cut = this.masker.cut(rest, this.breakPoint(rest, restBytes), restHidden);
      this.emit(stream, cut.head, t);
      restBytes -= Buffer.byteLength(rest.slice(0, cut.at));
      rest = rest.slice(cut.at);
      restHidden = cut.hiddenAfter;
    }
    this.emit(stream, this.masker.mask(rest, restHidden), t);
  }

  /**
   * Emits the front of a partial line that outgrew `maxLineBytes`. Only once `maxLength - 1`
   * further characters have arrived: they may complete a secret that crosses the break, and
   * breaking without seeing its end would print its start unmasked.
   */
  private breakPartial(stream: 'stdout' | 'stderr', partial: PendingLine): void {
    const keepBack = Math.max(this.masker.maxLength - 1, 0);
    const t = this.now();
    while (partial.bytes > this.maxLineBytes) {
      const wanted = this.breakPoint(partial.text, partial.bytes);
      if (wanted > partial.text.length - keepBack) return;
      const cut = this.masker.cut(partial.text, wanted, partial.hidden);
      const head = partial.text.slice(0, cut.at);
      const bytes = Buffer.byteLength(head);
      partial.text = partial.text.slice(cut.at);
      partial.bytes -= bytes;
      partial.hidden = cut.hiddenAfter;
      if (!this.admit(bytes)) return;
      this.emit(stream, cut.head, t);
    }
  }

  /** Characters of `text` (of `bytes` UTF-8 bytes) that fit in `maxLineBytes`, without splitting a character. */
  private breakPoint(text: string, bytes: number): number {
    // All ASCII, the usual case, needs no scan.
    if (bytes === text.length) return Math.min(this.maxLineBytes, text.length);
    return charsWithinBytes(text, this.maxLineBytes);
  }

  /**
   * Counts `bytes` of job output against the cap. The first time it would be exceeded, the
   * writer switches to dropping: one marker line, buffered partial lines discarded (which also
   * keeps memory flat), every later byte only counted.
   */
  private admit(bytes: number): boolean {
    if (this.truncated) {
      this.dropped += bytes;
      return false;
    }
    if (this.emittedBytes + bytes <= this.maxBytes) {
      this.emittedBytes += bytes;
      return true;
    }
    this.truncated = true;
    this.dropped += bytes;
    for (const partial of Object.values(this.partials)) {
      this.dropped += partial.bytes;
      partial.text = '';
      partial.bytes = 0;
      partial.hidden = 0;
    }
    this.emit(
      'system',
      `[slipway] log truncated: this job printed more than ${formatSize(this.maxBytes)}; ` +
        'the rest is dropped (the job keeps running)',
      this.now(),
      { code: 'log.truncated', params: { bytes: this.maxBytes } },
    );
    return false;
  }

  private emit(
    stream: LogStream,
    text: string,
    t: number,
    coded?: { code: string; params: Record<string, string | number> },
  ): void {
    this.lines += 1;
    this.onLine(coded ? { n: this.lines, t, stream, text, ...coded } : { n: this.lines, t, stream, text });
  }
}

function newPendingLine(): PendingLine {
  return { decoder: new StringDecoder('utf8'), text: '', bytes: 0, hidden: 0 };
}

/** How many UTF-16 code units of `text`, from the start, fit in `maxBytes` of UTF-8. */
function charsWithinBytes(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    let units = 1;
    let size: number;
    if (code < 0x80) size = 1;
    else if (code < 0x800) size = 2;
    else if (isSurrogatePair(text, i)) {
      size = 4;
      units = 2;
    } else size = 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return i;
}

/** Whether `text[i]` and `text[i + 1]` form one character, which a break must not separate. */
function isSurrogatePair(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

function formatSize(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}
