/**
 * A DbQueueService on a real migrated SQLite file, with the seams around it recorded: RunState
 * calls, log appends, source downloads. Projects, runs and executions are inserted directly, the
 * way RunService stores them (run row with its compiled plan and job rows, queue row through
 * `enqueue`), so queue tests do not depend on the rest of the server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { PipelineEvent } from '../../src/domain/event.js';
import type { LogLine } from '../../src/domain/log-line.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import type { Plan } from '../../src/pipeline/plan/plan.js';
import type { JobResultMessage, RunFinishMessage } from '../../src/protocol/agent-protocol.js';
import { createSecretBox } from '../../src/server/auth/secret-box.js';
import { loadServerConfig } from '../../src/server/config.js';
import { DeliveryEventBus } from '../../src/server/events/delivery-event-bus.js';
import { InMemoryEventBus } from '../../src/server/events/event-bus.js';
import { RouteRegistry } from '../../src/server/http/define-route.js';
import { createAgent, declareLabels } from '../../src/server/queue/agent-registry.js';
import { enqueue } from '../../src/server/queue/enqueue.js';
import { DbQueueService, type QueueServiceDeps } from '../../src/server/queue/queue-service.js';
import { type WaitingReason, waitingReasons } from '../../src/server/queue/waiting-reason.js';
import { ConfigLoader } from '../../src/server/runs/config-loader.js';
import type {
  LogService,
  RunService,
  RunState,
  SecretBox,
  SourceService,
} from '../../src/server/services.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database, ProjectRow, QueueRow } from '../../src/server/store/tables.js';
import { jobRow, projectRow, runRow } from '../support/rows.js';

export const DEFAULT_PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [echo compiled], secrets: [DEPLOY_TOKEN] }
      lint: { script: [echo linted] }
  - name: test
    jobs:
      unit: { script: [echo tested] }
`;

export const EVENT: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'c0ffee0000000000000000000000000000000001',
  author: 'alice',
  message: 'test commit',
};

export function planOf(yaml: string, event: PipelineEvent = EVENT): Plan {
  const loaded = loadConfig(yaml, '.slipway.yml');
  if (!loaded.config) throw new Error(`bad test pipeline: ${JSON.stringify(loaded.diagnostics)}`);
  return compilePlan(loaded.config, event);
}

export type RunStateCall =
  | { method: 'runStarted'; runId: string }
  | { method: 'jobUpdate'; runId: string; job: JobResultMessage }
  | { method: 'runFinished'; runId: string; result: RunFinishMessage }
  | { method: 'failUnfinished'; runId: string; reason: string; message: string }
  | { method: 'requeued'; runId: string };

/** Records every call, in order; does nothing else. */
export class RecordingRunState implements RunState {
  readonly calls: RunStateCall[] = [];
  async runStarted(runId: string) {
    this.calls.push({ method: 'runStarted', runId });
  }
  async jobUpdate(runId: string, job: JobResultMessage) {
    this.calls.push({ method: 'jobUpdate', runId, job });
  }
  async runFinished(runId: string, result: RunFinishMessage) {
    this.calls.push({ method: 'runFinished', runId, result });
  }
  async failUnfinished(runId: string, reason: 'agent_lost', message: string) {
    this.calls.push({ method: 'failUnfinished', runId, reason, message });
  }
  async requeued(runId: string) {
    this.calls.push({ method: 'requeued', runId });
  }
  of(method: RunStateCall['method']): RunStateCall[] {
    return this.calls.filter((c) => c.method === method);
  }
}

export class RecordingLogService implements LogService {
  readonly appended: { runId: string; job: string; lines: LogLine[] }[] = [];
  async append(runId: string, job: string, lines: LogLine[]) {
    this.appended.push({ runId, job, lines });
  }
  async read(): Promise<LogLine[]> {
    return [];
  }
  subscribe(): () => void {
    return () => {};
  }
  linesOf(runId: string, job: string): LogLine[] {
    return this.appended.filter((a) => a.runId === runId && a.job === job).flatMap((a) => a.lines);
  }
}

export const silentLog = {
  level: 'silent',
  fatal() {},
  error() {},
  warn() {},
  info() {},
  debug() {},
  trace() {},
  silent() {},
  child() {
    return silentLog;
  },
} as unknown as FastifyBaseLogger;

export interface QueueFixture {
  db: Kysely<Database>;
  clock: { now: number };
  runState: RecordingRunState;
  logs: RecordingLogService;
  /** What `sources.archive` hands out (a tar stream); a test may replace it. */
  archive: { make: (project: ProjectRow, sha: string) => Promise<Readable> };
  queue: DbQueueService;
  deps: QueueServiceDeps;
  addProject(opts?: { concurrencyLimit?: number; secrets?: Record<string, string> }): Promise<ProjectRow>;
  addRun(project: ProjectRow, opts?: RunOptions): Promise<{ runId: string; executionId: string; plan: Plan }>;
  /** Another execution of an existing run (a played manual job, a same-run resume). */
  addExecution(runId: string, projectId: string, opts?: ExecutionOptions): Promise<string>;
  addAgent(name?: string): Promise<string>;
  /** Records labels the agent declares and that it called just now (as a lease request does). */
  declareAgent(agentId: string, labels: Record<string, string>, seenAt?: number): Promise<void>;
  /** Why the run waits, as run JSON shows it (undefined: it does not wait for a reason). */
  waiting(runId: string): Promise<WaitingReason | undefined>;
  /** An application with one docker environment of this config (runsOn pins it). */
  addEnvironment(
    project: ProjectRow,
    app: string,
    env: string,
    config?: Record<string, unknown>,
  ): Promise<void>;
  /** Deletes the agent's row only, as another server's revoke would (no poll of ours is told). */
  deleteAgentRow(agentId: string): Promise<void>;
  execution(executionId: string): Promise<QueueRow>;
  requestCancel(runId: string): Promise<void>;
  close(): Promise<void>;
}

export interface ExecutionOptions {
  jobs?: string[];
  runManual?: boolean;
  reuseWorkspace?: boolean;
}

export interface RunOptions extends ExecutionOptions {
  pipeline?: string;
  untrusted?: boolean;
  parentRunId?: string;
  /** Store the run without a plan (its config had errors). */
  noPlan?: boolean;
}

export async function queueFixture(env: Record<string, string> = {}, pollMs = 20): Promise<QueueFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-queue-'));
  const config = loadServerConfig(
    { SLIPWAY_DATA_DIR: dir, SLIPWAY_LEASE_TIMEOUT: '3s', SLIPWAY_DEMO: 'false', ...env },
    process.cwd(),
  );
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db as never);
  const clock = { now: 1_700_000_000_000 };
  const runState = new RecordingRunState();
  const logs = new RecordingLogService();
  const archive: QueueFixture['archive'] = { make: async () => Readable.from([Buffer.from('tar')]) };
  const sources = {
    archive: (p: ProjectRow, sha: string) => archive.make(p, sha),
  } as unknown as SourceService;
  const secretBox = createSecretBox(randomBytes(32));
  const deps: QueueServiceDeps = {
    config,
    db,
    now: () => clock.now,
    log: silentLog,
    secretBox,
    events: new InMemoryEventBus(),
    deliveries: new DeliveryEventBus(silentLog),
    logs,
    sources,
    runState,
    runs: {} as RunService,
    routes: new RouteRegistry(),
    configs: new ConfigLoader(),
  };
  const queue = new DbQueueService(deps, { pollMs });
  // Each execution is enqueued 1 ms after the previous one, so FIFO order is the order of calls.
  const seedCtx: SeedContext = { db, secretBox, now: () => ++clock.now };

  const fixture: QueueFixture = {
    db,
    clock,
    runState,
    logs,
    archive,
    queue,
    deps,
    addProject: (opts = {}) => seedProject(seedCtx, opts),
    addRun: (project, opts = {}) => seedRun(seedCtx, project, opts),
    addExecution: (runId, projectId, opts = {}) => seedExecution(seedCtx, runId, projectId, opts),
    async addAgent(name = `agent-${randomUUID().slice(0, 6)}`) {
      return (await createAgent(db, { name, embedded: false, now: clock.now })).agent.id;
    },
    async declareAgent(agentId, labels, seenAt = clock.now) {
      await declareLabels(db, agentId, labels);
      await db.updateTable('agents').set({ last_seen_at: seenAt }).where('id', '=', agentId).execute();
    },
    async waiting(runId) {
      return (await waitingReasons(db, [runId], clock.now, config.leaseTimeoutMs)).get(runId);
    },
    async addEnvironment(project, app, env, envConfig = {}) {
      const appId = randomUUID();
      await db
        .insertInto('applications')
        .values({ id: appId, project_id: project.id, name: app, created_at: 0 })
        .execute();
      await db
        .insertInto('environments')
        .values({
          id: randomUUID(),
          application_id: appId,
          name: env,
          position: 0,
          target: 'docker',
          config: JSON.stringify(envConfig),
          requires_approval: 0,
          auto_release: null,
          config_version: 1,
          created_at: 0,
          updated_at: 0,
        })
        .execute();
    },
    async deleteAgentRow(agentId) {
      await db.deleteFrom('agents').where('id', '=', agentId).execute();
    },
    async execution(executionId) {
      return db.selectFrom('queue').selectAll().where('id', '=', executionId).executeTakeFirstOrThrow();
    },
    async requestCancel(runId) {
      await db.updateTable('queue').set({ cancel_requested: 1 }).where('run_id', '=', runId).execute();
    },
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** What seeding needs (a server's ctx is one); `now` is called once per inserted row (a fake clock may tick). */
export interface SeedContext {
  db: Kysely<Database>;
  secretBox: SecretBox;
  now: () => number;
}

export async function seedProject(
  ctx: SeedContext,
  opts: { concurrencyLimit?: number; secrets?: Record<string, string> } = {},
): Promise<ProjectRow> {
  const project = projectRow({
    webhook_secret: ctx.secretBox.seal('hook'),
    concurrency_limit: opts.concurrencyLimit ?? 10,
    trusted: 1,
    created_at: ctx.now(),
  });
  await ctx.db.insertInto('projects').values(project).execute();
  for (const [name, value] of Object.entries(opts.secrets ?? {})) {
    await ctx.db
      .insertInto('secrets')
      .values({
        project_id: project.id,
        name,
        value: ctx.secretBox.seal(value),
        created_at: 0,
        updated_at: 0,
      })
      .execute();
  }
  return project;
}

/** A run as RunService stores it — run row with its plan, job rows — and its first execution. */
export async function seedRun(
  ctx: SeedContext,
  project: ProjectRow,
  opts: RunOptions = {},
): Promise<{ runId: string; executionId: string; plan: Plan }> {
  const plan = planOf(opts.pipeline ?? DEFAULT_PIPELINE);
  const runId = randomUUID();
  // Atomic, like RunService's numbering: tests seed runs concurrently.
  const counter = await ctx.db
    .insertInto('counters')
    .values({ key: `run:${project.id}`, value: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<number>`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  const now = ctx.now();
  await ctx.db
    .insertInto('runs')
    .values(
      runRow({
        id: runId,
        project_id: project.id,
        number: counter.value,
        record: plan.record,
        sha: EVENT.sha,
        message: EVENT.message,
        author: EVENT.author,
        status: 'queued',
        plan: opts.noPlan ? null : JSON.stringify(plan),
        untrusted: opts.untrusted ? 1 : 0,
        parent_run_id: opts.parentRunId ?? null,
        created_at: now,
      }),
    )
    .execute();
  const jobs = plan.stages.flatMap((stage, si) =>
    stage.jobs.map((job, ji) =>
      jobRow({
        run_id: runId,
        name: job.name,
        stage: stage.name,
        stage_index: si,
        job_index: ji,
        status: job.manual ? 'manual' : 'pending',
        allow_failure: job.allowFailure ? 1 : 0,
        manual: job.manual ? 1 : 0,
      }),
    ),
  );
  if (jobs.length > 0) await ctx.db.insertInto('jobs').values(jobs).execute();
  const executionId = await seedExecution(ctx, runId, project.id, opts);
  return { runId, executionId, plan };
}

export function seedExecution(
  ctx: SeedContext,
  runId: string,
  projectId: string,
  opts: ExecutionOptions = {},
): Promise<string> {
  return enqueue(ctx.db, {
    runId,
    projectId,
    jobs: opts.jobs ?? [],
    runManual: opts.runManual ?? false,
    reuseWorkspace: opts.reuseWorkspace ?? false,
    now: ctx.now(),
  });
}
