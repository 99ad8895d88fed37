/**
 * Shared pieces of the run and log tests: a tiny SourceService whose `.slipway.yml` is whatever
 * the test says, projects inserted straight into the database (project CRUD is not under test
 * here), push events, and a Server-Sent Events reader on top of fetch.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { PipelineEvent } from '../../src/domain/event.js';
import type { JobResultMessage } from '../../src/protocol/agent-protocol.js';
import { DbRunService } from '../../src/server/runs/run-service.js';
import type { SourceService } from '../../src/server/services.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';
import { projectRow } from '../support/rows.js';
import type { TestServer } from '../support/server.js';

/** build → test (unit, lint allowed to fail) → deploy (manual). */
export const CONFIG = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [make] }
  - name: test
    jobs:
      unit: { script: [make test] }
      lint: { script: [make lint], allow_failure: true }
  - name: deploy
    jobs:
      ship: { script: [make ship], when: manual }
`;

export interface ConfigSources extends SourceService {
  /** `.slipway.yml` per sha; `default` for any other sha; null = no file. */
  configs: Map<string, string | null>;
  default: string | null;
  /** `branch:<name>` / `tag:<name>` → sha. */
  refs: Map<string, string>;
}

export function configSources(config: string | null = CONFIG): ConfigSources {
  const fake: ConfigSources = {
    configs: new Map(),
    default: config,
    refs: new Map([['branch:main', 'a'.repeat(40)]]),
    async ensureRepository() {},
    async refresh() {},
    async readFile(_project, ref, path) {
      if (path !== '.slipway.yml') return null;
      return fake.configs.has(ref) ? (fake.configs.get(ref) ?? null) : fake.default;
    },
    async resolve(_project, ref) {
      return fake.refs.get(`${ref.kind}:${ref.name}`) ?? null;
    },
    async commitInfo(_project, sha) {
      return { message: `commit ${sha.slice(0, 7)}`, author: 'alice', time: 1_700_000_000_000 };
    },
    async listRefs() {
      return { branches: [], tags: [] };
    },
    async archive() {
      return Readable.from([]);
    },
    async commitDirectory() {
      return 'f'.repeat(40);
    },
    async changedFiles() {
      return [];
    },
  };
  return fake;
}

/** Makes the server read git through `sources` (routes read ctx.sources; the run service got it injected). */
export function useSources(t: TestServer, sources: SourceService): DbRunService {
  const ctx = t.server.ctx;
  ctx.sources = sources;
  const runs = new DbRunService({ ...ctx, sources });
  ctx.runs = runs;
  return runs;
}

/**
 * What the queue does when an agent takes a run's queued executions: they become leased. The
 * heartbeat is set in the future so the server's lease-expiry loop leaves them alone.
 */
export async function claim(t: TestServer, runId: string): Promise<void> {
  await t.server.ctx.db
    .updateTable('queue')
    .set({
      status: 'leased',
      lease_id: randomUUID(),
      agent_id: 'agent-test',
      leased_at: Date.now(),
      heartbeat_at: Date.now() + 3_600_000,
    })
    .where('run_id', '=', runId)
    .where('status', '=', 'queued')
    .execute();
}

/** What the queue does after RunState.runFinished: the leased execution is done. */
export async function release(t: TestServer, runId: string): Promise<void> {
  await t.server.ctx.db
    .updateTable('queue')
    .set({ status: 'done' })
    .where('run_id', '=', runId)
    .where('status', '=', 'leased')
    .execute();
}

export async function insertProject(
  t: TestServer,
  name = `p-${randomUUID().slice(0, 8)}`,
): Promise<ProjectRow> {
  const row = projectRow({ name, webhook_secret: 'x', concurrency_limit: 2, created_at: Date.now() });
  await t.server.ctx.db.insertInto('projects').values(row).execute();
  return row;
}

/** An agent's report that job `name` of `stage` has been running since t=1000. */
export function runningJob(name: string, stage: string): JobResultMessage {
  return {
    name,
    stage,
    status: 'running',
    allowFailure: false,
    failure: null,
    skip: null,
    exitCode: null,
    startedAt: 1000,
    finishedAt: null,
  };
}

/** Project `projectName` with one run of a push to main, queued (its config is CONFIG). */
export async function pushedRun(t: TestServer, projectName: string): Promise<RunRow> {
  const project = await insertProject(t, projectName);
  // biome-ignore lint/correctness/useHookAtTopLevel: useSources is a test fixture, not a React hook
  return useSources(t, configSources()).createRun({ project, event: push(), trigger: 'push', actor: 'a' });
}

/**
 * Project `projectName` with one pushed run that an agent has leased and started, its `build`
 * job `job` running since t=1000: where log lines of a live job can be appended and read.
 */
export async function runWithRunningJob(t: TestServer, projectName: string, job: string): Promise<RunRow> {
  const run = await pushedRun(t, projectName);
  await claim(t, run.id);
  await t.server.ctx.runState.runStarted(run.id);
  await t.server.ctx.runState.jobUpdate(run.id, runningJob(job, 'build'));
  return run;
}

let shaCounter = 0;
export function push(opts: Partial<PipelineEvent> = {}): PipelineEvent {
  shaCounter += 1;
  return {
    kind: 'push',
    ref: { kind: 'branch', name: 'main' },
    sha: opts.sha ?? shaCounter.toString(16).padStart(40, '0'),
    author: 'alice',
    message: 'a change',
    commitTime: 1_700_000_000_000,
    ...opts,
  };
}

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Incremental reader of a Server-Sent Events response (comments such as heartbeats are skipped). */
export class SseReader {
  readonly events: SseEvent[] = [];
  ended = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(res: Response) {
    this.reader = (res.body as ReadableStream<Uint8Array>).getReader();
  }

  /** Reads until `stop(events so far)` holds or the server ends the stream; rejects after `timeoutMs`. */
  async until(stop: (events: SseEvent[]) => boolean, timeoutMs = 5000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!stop(this.events) && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`SSE: condition not met in ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`SSE: nothing within ${timeoutMs} ms`)), left);
      });
      try {
        const { value, done } = await Promise.race([this.reader.read(), timeout]);
        if (done) this.ended = true;
        else this.feed(this.decoder.decode(value, { stream: true }));
      } finally {
        clearTimeout(timer);
      }
    }
    return this.events;
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }

  private feed(text: string): void {
    this.buffer += text;
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const parsed = parseBlock(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
      if (parsed) this.events.push(parsed);
      end = this.buffer.indexOf('\n\n');
    }
  }
}

/** Reads events until `stop` holds (or the stream ends), then closes the response. */
export async function readSse(
  res: Response,
  stop: (events: SseEvent[]) => boolean,
  timeoutMs = 5000,
): Promise<SseEvent[]> {
  const reader = new SseReader(res);
  try {
    return await reader.until(stop, timeoutMs);
  } finally {
    await reader.close();
  }
}

function parseBlock(block: string): SseEvent | null {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && id === undefined && event === 'message') return null;
  return { event, ...(id !== undefined ? { id } : {}), data: data.join('\n') };
}

export const post = (body?: unknown): RequestInit =>
  body === undefined ? { method: 'POST' } : { method: 'POST', body: JSON.stringify(body) };
