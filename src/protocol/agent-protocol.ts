import { z } from 'zod';
import { reasonParamsSchema } from '../api/reasons.js';
import { LABEL_KEY, LABEL_VALUE, MAX_LABELS } from '../domain/agent-labels.js';
import { LATENCY_BUCKETS } from '../domain/release-stats.js';
import { FAILURE_REASONS, STATUSES } from '../domain/status.js';
import { artifactSourceSchema } from './artifact-protocol.js';

/**
 * The agent ⇄ server protocol, version 1. The embedded agent and a standalone
 * `slipway agent` speak exactly this, the first in-process, the second over HTTP:
 *
 *   POST /api/agent/lease                       LeaseRequest → 200 Lease | 204 (nothing to do; long-poll)
 *   POST /api/agent/leases/:lease/heartbeat     → { cancel }
 *   POST /api/agent/leases/:lease/jobs          JobResult    → { cancel }
 *   POST /api/agent/leases/:lease/logs          LogBatch     → { cancel }
 *   GET  /api/agent/leases/:lease/source.tar    → the tree at the run's sha
 *   POST /api/agent/leases/:lease/finish        RunFinish    → 204
 *   POST /api/agent/environments                EnvironmentReport → 204 (what runs on its engine)
 *   POST /api/agent/traffic                     TrafficReport → TrafficReportAnswer (proxy counters)
 *
 * Every call carries `Authorization: Bearer <agent token>` and `X-Slipway-Protocol: 1`; the
 * server checks the calling agent holds the lease (404 otherwise). A lease not heartbeated within
 * the lease timeout is lost: its run is failed with "agent lost" or re-queued.
 *
 * Delivery: calls may be retried after a network error, so the server treats a repeated job
 * update or log batch (same line numbers) as already applied. Per job, log batches and job
 * updates are sent in the order they happened; a job's lines are sent before its final update.
 */
export const PROTOCOL_VERSION = 1;
export const PROTOCOL_HEADER = 'x-slipway-protocol';

const status = z.enum(STATUSES);

export const logLineSchema = z.object({
  n: z.number().int().min(1),
  t: z.number().int(),
  stream: z.enum(['stdout', 'stderr', 'system']),
  text: z.string(),
  // Optional (older agents send neither): a system line's code and params, see
  // domain/system-line-codes.ts. Any well-formed code is kept: a newer agent's codes are shown
  // by their English text in a UI that does not know them yet.
  code: z
    .string()
    .regex(/^[a-z][a-z0-9_.]{0,63}$/)
    .optional(),
  params: z
    .record(z.string().max(64), z.union([z.string().max(4096), z.number()]))
    .refine((p) => Object.keys(p).length <= 16, 'at most 16 params')
    .optional(),
});

export const builtImageSchema = z.object({
  /** Repository without tag, e.g. 127.0.0.1:5000/team/api or api (local engine only). */
  repository: z.string(),
  tags: z.array(z.string()),
  /** Registry manifest digest (sha256:…) when pushed; null when the image stayed local. */
  digest: z.string().nullable(),
  /** The engine's image id (sha256:… of the config). */
  imageId: z.string(),
  /** Bytes, as the engine reports the image size. */
  size: z.number().int().nullable(),
  pushed: z.boolean(),
  /** Registry host[:port] it was pushed to; null when local. */
  registry: z.string().nullable(),
});
export type BuiltImageMessage = z.infer<typeof builtImageSchema>;

export const jobResultSchema = z.object({
  name: z.string(),
  stage: z.string(),
  status,
  allowFailure: z.boolean(),
  failure: z
    .object({
      reason: z.enum(FAILURE_REASONS),
      message: z.string(),
      /** What the UI says the reason with (`{code: 2}` for exit_code…), see src/api/reasons.ts. */
      params: reasonParamsSchema.optional(),
    })
    .nullable(),
  skip: z.object({ code: z.string(), message: z.string(), params: reasonParamsSchema.optional() }).nullable(),
  exitCode: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** What a successful `build:` job produced (the server records it as image versions). */
  image: builtImageSchema.optional(),
  /** What a `deploy:` job released (the release id on the server), see leaseDeploymentSchema. */
  release: z
    .object({
      id: z.string(),
      status: z.enum(['succeeded', 'failed', 'rolled_back', 'canceled']),
      reason: z.string().optional(),
      /** A stable code for `reason` (e.g. canary_failed) with its parameters, for translated texts. */
      reasonCode: z.string().max(100).optional(),
      reasonParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      /** The image reference actually deployed (a pipeline deploy learns it from its build job). */
      image: z.string().optional(),
      digest: z.string().nullable().optional(),
    })
    .optional(),
  /** Which attempt of this execution the job is in (`retry:`); absent: the first. */
  attempt: z.number().int().min(1).optional(),
  /** The job's earlier attempts in this execution, oldest first (at most 3: `retry:` max). */
  attempts: z
    .array(z.lazy(() => jobAttemptSchema))
    .max(10)
    .optional(),
});
export type JobResultMessage = z.infer<typeof jobResultSchema>;

/** One earlier attempt of a job that `retry:` ran again (runtime/job-retry.ts). */
export const jobAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  status,
  failure: z
    .object({ reason: z.enum(FAILURE_REASONS), message: z.string(), params: reasonParamsSchema.optional() })
    .nullable(),
  exitCode: z.number().int().nullable(),
  startedAt: z.number(),
  finishedAt: z.number(),
});
export type JobAttemptMessage = z.infer<typeof jobAttemptSchema>;

export const logBatchSchema = z.object({
  job: z.string(),
  lines: z.array(logLineSchema).max(10_000),
});
export type LogBatchMessage = z.infer<typeof logBatchSchema>;

export const runFinishSchema = z.object({
  status,
  startedAt: z.number(),
  finishedAt: z.number(),
  /** Set when the agent could not run at all (source download failed, backend down). */
  error: z.string().nullable(),
});
export type RunFinishMessage = z.infer<typeof runFinishSchema>;

/**
 * What a `deploy` job of a lease rolls out: deploy/DeploySpec without the image (structurally the
 * same; protocol may not import deploy). `image` is fixed for manual, promote and rollback
 * releases; null means the image built by the job's `deploy.from` build job in the same run.
 * `refused` says why the server will not deploy (untrusted run, unknown environment…).
 */
export const deploySpecSchema = z.object({
  project: z.string(),
  app: z.string(),
  env: z.string(),
  releaseId: z.string(),
  replicas: z.number().int(),
  ports: z.array(z.object({ published: z.number().int(), target: z.number().int() })),
  variables: z.record(z.string(), z.string()),
  healthcheck: z
    .intersection(
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('http'), path: z.string(), port: z.number().int() }),
        z.object({ kind: z.literal('command'), command: z.array(z.string()) }),
      ]),
      z.object({
        intervalMs: z.number().int(),
        timeoutMs: z.number().int(),
        retries: z.number().int(),
        startPeriodMs: z.number().int(),
      }),
    )
    .nullable(),
  resources: z.object({ cpus: z.number().nullable(), memoryMb: z.number().nullable() }),
  update: z.object({
    order: z.enum(['start-first', 'stop-first']),
    parallelism: z.number().int(),
    failureAction: z.enum(['rollback', 'pause']),
    delayMs: z.number().int(),
  }),
  labels: z.record(z.string(), z.string()),
  /** Older servers send neither: the agent derives the protocol from the health check. */
  protocol: z.enum(['http', 'tcp']).optional(),
  rollout: z
    .object({
      steps: z.array(z.number().int().min(1).max(100)).min(1),
      bakeMs: z.number().int().min(1),
      minRequests: z.number().int().min(1),
      maxErrorRate: z.number().optional(),
      maxP95Ms: z.number().optional(),
    })
    .nullable()
    .optional(),
});
export const leaseDeploymentSchema = z.union([
  z.object({
    releaseId: z.string(),
    target: z.enum(['docker', 'swarm']),
    spec: deploySpecSchema,
    image: z.string().nullable(),
    operation: z.enum(['deploy', 'scale']),
    replicas: z.number().int().optional(),
  }),
  z.object({ refused: z.string() }),
]);
export type LeaseDeployment = z.infer<typeof leaseDeploymentSchema>;

const jobResourcesSchema = z.object({
  memoryBytes: z.number().int().positive(),
  pids: z.number().int().positive(),
  cpus: z.number().positive().nullable(),
});

export const leaseSchema = z.object({
  leaseId: z.string(),
  runId: z.string(),
  projectId: z.string(),
  /** The project's name: the default repository of the images its build jobs make. */
  projectName: z.string().optional(),
  runNumber: z.number().int(),
  /** The compiled Plan (see pipeline/plan/plan.ts), as stored with the run. */
  plan: z.unknown(),
  /** Jobs to run in this execution; empty = all that are pending. */
  jobs: z.array(z.string()),
  runManual: z.boolean(),
  /** Use the workspace an earlier execution left (resume from failed), when the agent still has it. */
  reuseWorkspace: z.boolean(),
  /**
   * Names the workspace: the run id itself, or — when resuming — the run whose workspace this
   * execution continues in. Agents keep workspaces for a while after a run for this.
   */
  workspaceId: z.string(),
  /** Only the secrets the plan's jobs name; empty for untrusted events. */
  secrets: z.record(z.string(), z.string()),
  maxLogBytes: z.number().int(),
  heartbeatMs: z.number().int(),
  /**
   * False for untrusted events (fork pull requests): their build jobs still build, but never push
   * (an open registry needs no credentials, and `latest` must not be theirs to overwrite). Older
   * servers do not send it: true.
   */
  trusted: z.boolean().default(true),
  /**
   * Per `build` job name: why the server refuses its push (the target is a non-public address
   * not in SLIPWAY_OUTBOUND_ALLOWLIST, security rule 11). The agent fails the job with it.
   */
  pushRefusals: z.record(z.string(), z.string()).optional(),
  /** Credentials for the registries this run may push to (project ones over global ones). */
  registries: z.array(z.object({ host: z.string(), username: z.string(), password: z.string() })).default([]),
  /** Per `deploy` job name: what to roll out (see leaseDeploymentSchema). */
  deployments: z.record(z.string(), leaseDeploymentSchema).optional(),
  /**
   * The server's defaults and maxima for script jobs' `resources:` (SLIPWAY_JOB_*). Older
   * servers do not send them: the agent's built-in ones apply.
   */
  resourceLimits: z.object({ default: jobResourcesSchema, max: jobResourcesSchema }).optional(),
  /** Earlier jobs' artifacts to unpack into the workspace before the first job (artifact-protocol.ts). */
  restoreArtifacts: z.array(artifactSourceSchema).optional(),
});
export type LeaseMessage = z.infer<typeof leaseSchema>;

/** An agent's own description: its Slipway version and how many runs it executes at once. */
export const agentInfoSchema = z.object({
  version: z.string().min(1).max(64),
  capacity: z.number().int().min(1).max(10_000),
});
export type AgentInfoMessage = z.infer<typeof agentInfoSchema>;

export const leaseRequestSchema = z.object({
  /** How long the server may hold the request open waiting for work (it caps this). */
  waitMs: z.number().int().min(0).max(600_000),
  /**
   * The agent's labels (`slipway agent --label k=v`, plus its host's os and arch): the server
   * records them and hands this agent only runs whose required labels it has. Omitted by older
   * agents: the labels recorded before stay.
   */
  labels: z
    .record(
      z.string().regex(LABEL_KEY, 'a label key is letters, digits, _ . / -'),
      z.string().regex(LABEL_VALUE, 'a label value is letters, digits, _ . / -'),
    )
    .refine((l) => Object.keys(l).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`)
    .optional(),
  /** What the agent is, for the Agents page (older agents omit it). */
  agent: agentInfoSchema.optional(),
});
export type LeaseRequestMessage = z.infer<typeof leaseRequestSchema>;

/** The answer to heartbeat, job update and log batch calls. */
export const cancelAnswerSchema = z.object({ cancel: z.boolean() });

/**
 * What an agent observes on its engine (deploy/ObservedEnvironment, structurally): every
 * environment its deploy targets run, found by label. Sent when something changed and as a
 * keep-alive; `environments` is the complete list, so one that is gone is no longer running.
 */
export const observedEnvironmentSchema = z.object({
  project: z.string().min(1).max(200),
  app: z.string().min(1).max(200),
  env: z.string().min(1).max(200),
  target: z.enum(['docker', 'swarm']),
  running: z.boolean(),
  image: z.string().max(1000).nullable(),
  releaseId: z.string().max(200).nullable(),
  replicas: z.object({
    desired: z.number().int().min(0).max(100_000),
    running: z.number().int().min(0).max(100_000),
    healthy: z.number().int().min(0).max(100_000),
  }),
});
export type ObservedEnvironmentMessage = z.infer<typeof observedEnvironmentSchema>;

export const environmentReportSchema = z.object({
  environments: z.array(observedEnvironmentSchema).max(2_000),
});
export type EnvironmentReportMessage = z.infer<typeof environmentReportSchema>;

/** An environment on an agent's engine, by the names its labels carry. */
export const environmentRefSchema = z.object({
  project: z.string().min(1).max(200),
  app: z.string().min(1).max(200),
  env: z.string().min(1).max(200),
  target: z.enum(['docker', 'swarm']),
});
export type EnvironmentRefMessage = z.infer<typeof environmentRefSchema>;

/**
 * The answer to an environment report: reported environments that were deleted in Slipway, for
 * the agent to stop and remove. (A server answering 204 has none to ask for.)
 */
export const environmentReportAnswerSchema = z.object({
  remove: z.array(environmentRefSchema).max(2_000),
});
export type EnvironmentReportAnswer = z.infer<typeof environmentReportAnswerSchema>;

/**
 * Traffic an agent's proxies counted (deploy/traffic-recorder.ts), per environment, release,
 * role and minute — `POST /api/agent/traffic`. Buckets are *added* to what the server has, so
 * a minute may arrive in parts. `reportId` makes a re-sent report (its answer was lost) count
 * once: the agent keeps a report, with the same id, until the server acknowledged it.
 */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const trafficBucketSchema = z.object({
  releaseId: z.string().min(1).max(200),
  role: z.enum(['stable', 'canary']),
  /** Start of the minute, Unix ms. */
  minute: z
    .number()
    .int()
    .min(0)
    .refine((m) => m % 60_000 === 0, 'minute is the start of a minute (a multiple of 60000)'),
  requests: count,
  /** Answers by status class, 1xx…5xx. */
  status: z.array(count).length(5),
  proxyErrors: count,
  bytesIn: count,
  bytesOut: count,
  connections: count,
  /** Counts per bucket of LATENCY_BOUNDS_MS (domain/release-stats.ts), the last one open-ended. */
  latency: z.array(count).length(LATENCY_BUCKETS),
  latencySumMs: z.number().min(0),
});
export type TrafficBucketMessage = z.infer<typeof trafficBucketSchema>;

export const trafficReportSchema = z.object({
  reportId: z.string().min(1).max(100),
  environments: z
    .array(
      z.object({
        project: z.string().min(1).max(200),
        app: z.string().min(1).max(200),
        env: z.string().min(1).max(200),
        buckets: z.array(trafficBucketSchema).min(1).max(5_000),
      }),
    )
    .max(500),
});
export type TrafficReportMessage = z.infer<typeof trafficReportSchema>;

/** Buckets stored; buckets of environments or releases this agent does not run are ignored. */
export const trafficReportAnswerSchema = z.object({
  stored: z.number().int(),
  ignored: z.number().int(),
  /** True when this report id was stored before (a re-send): nothing was added again. */
  duplicate: z.boolean(),
});
export type TrafficReportAnswer = z.infer<typeof trafficReportAnswerSchema>;
