/**
 * The build endpoint's JSON stream as readable log lines. The classic builder sends `stream`
 * text; BuildKit sends `moby.buildkit.trace` aux messages — a protobuf StatusResponse, base64 —
 * whose vertices (steps) and logs are rendered like `docker build --progress=plain`:
 * `#3 [2/2] RUN make`, `#3 0.412 output…`, `#3 DONE`, `#3 CACHED`, `#3 ERROR: …`.
 */
import { type Field, readFields, stringField } from './protobuf.js';

export interface BuildStreamResult {
  imageId: string | null;
  /** The last error the engine reported, if any (the build failed). */
  error: string | null;
  /** The name of the step that failed (BuildKit), for the failure message. */
  failedStep: string | null;
}

interface VertexState {
  n: number;
  name: string;
  started: boolean;
  done: boolean;
}

export class BuildProgress {
  private readonly vertices = new Map<string, VertexState>();
  private pending = '';
  private readonly partialLogs = new Map<string, string>();
  readonly result: BuildStreamResult = { imageId: null, error: null, failedStep: null };

  constructor(private readonly emit: (line: string) => void) {}

  /** Feeds raw bytes of the response body. */
  push(chunk: Buffer | string): void {
    this.pending += chunk.toString();
    const cut = this.pending.lastIndexOf('\n');
    if (cut < 0) return;
    const whole = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut + 1);
    for (const line of whole.split('\n')) this.handle(line);
  }

  end(): void {
    this.handle(this.pending);
    this.pending = '';
    for (const [digest, rest] of this.partialLogs) if (rest) this.emit(`#${this.vertex(digest).n} ${rest}`);
    this.partialLogs.clear();
  }

  private handle(line: string): void {
    const trimmed = line.trim();
    if (!trimmed) return;
    let message: {
      stream?: unknown;
      id?: unknown;
      aux?: unknown;
      error?: unknown;
      errorDetail?: { message?: unknown };
    };
    try {
      message = JSON.parse(trimmed);
    } catch {
      this.emit(trimmed);
      return;
    }
    const error = message.errorDetail?.message ?? message.error;
    if (error !== undefined) {
      this.result.error = String(error);
      this.emit(`ERROR: ${String(error)}`);
      return;
    }
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') {
      this.trace(Buffer.from(message.aux, 'base64'));
      return;
    }
    if (message.id === 'moby.image.id' && typeof message.aux === 'object' && message.aux !== null) {
      const id = (message.aux as { ID?: unknown }).ID;
      if (typeof id === 'string') this.result.imageId = id;
      return;
    }
    if (typeof message.aux === 'object' && message.aux !== null) {
      // The classic builder reports the image id as {"aux":{"ID":…}}.
      const id = (message.aux as { ID?: unknown }).ID;
      if (typeof id === 'string') this.result.imageId = id;
      return;
    }
    if (typeof message.stream === 'string') {
      for (const text of message.stream.split('\n')) if (text.trim()) this.emit(text.replace(/\r/g, ''));
    }
  }

  private vertex(digest: string): VertexState {
    let v = this.vertices.get(digest);
    if (!v) {
      v = { n: this.vertices.size + 1, name: '', started: false, done: false };
      this.vertices.set(digest, v);
    }
    return v;
  }

  /** One StatusResponse: 1 vertexes, 2 statuses, 3 logs, 4 warnings. */
  private trace(buf: Buffer): void {
    let fields: Field[];
    try {
      fields = readFields(buf);
    } catch {
      return;
    }
    for (const field of fields) {
      if (field.wire !== 2) continue;
      if (field.no === 1) this.onVertex(readFields(field.value));
      else if (field.no === 3) this.onLog(readFields(field.value));
      else if (field.no === 4) this.onWarning(readFields(field.value));
    }
  }

  /** Vertex: 1 digest, 3 name, 4 cached, 5 started, 6 completed, 7 error. */
  private onVertex(f: Field[]): void {
    const digest = stringField(f, 1);
    if (!digest) return;
    const v = this.vertex(digest);
    v.name = stringField(f, 3) ?? v.name;
    const cached = f.some((x) => x.no === 4 && x.wire === 0 && x.value !== 0n);
    const started = f.some((x) => x.no === 5);
    const completed = f.some((x) => x.no === 6);
    const error = stringField(f, 7);
    if ((started || cached) && !v.started) {
      v.started = true;
      this.emit(`#${v.n} ${v.name}`);
    }
    if (v.done) return;
    if (error) {
      v.done = true;
      this.result.failedStep ??= v.name;
      this.emit(`#${v.n} ERROR: ${error}`);
    } else if (cached) {
      v.done = true;
      this.emit(`#${v.n} CACHED`);
    } else if (completed) {
      v.done = true;
      this.emit(`#${v.n} DONE`);
    }
  }

  /** VertexLog: 1 vertex, 3 stream, 4 msg (bytes, may split lines anywhere). */
  private onLog(f: Field[]): void {
    const digest = stringField(f, 1);
    const msg = f.find((x) => x.no === 4 && x.wire === 2);
    if (!digest || !msg) return;
    const v = this.vertex(digest);
    const text = (this.partialLogs.get(digest) ?? '') + (msg.value as Buffer).toString('utf8');
    const lines = text.split('\n');
    this.partialLogs.set(digest, lines.pop() ?? '');
    for (const line of lines) this.emit(`#${v.n} ${line.replace(/\r/g, '')}`);
  }

  /** VertexWarning: 1 vertex, 3 short. */
  private onWarning(f: Field[]): void {
    const short = stringField(f, 3);
    if (short) this.emit(`WARNING: ${short}`);
  }
}
