import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseLabelList } from '../domain/agent-labels.js';
import { parseDuration } from '../domain/duration.js';
import {
  BUILTIN_RESOURCE_LIMITS,
  MIN_MEMORY_BYTES,
  MIN_PIDS,
  parseMemorySize,
  type ResourceLimits,
} from '../domain/job-resources.js';
import { type CollectConfig, collectConfigOf, collectConfigSchema } from './config-collect.js';
import { type NotifyConfig, notifyConfigOf, notifyConfigSchema } from './config-notify.js';

/**
 * The server's one typed config. This is the only module that reads `process.env` (the
 * composition root passes `process.env` in); everything else gets `ServerConfig` injected.
 * Invalid values stop the boot with one line per problem, naming the variable.
 */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write 30s, 10m, 1h)` });
        return z.NEVER;
      }
      return ms;
    });

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const memorySize = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return fallback;
      const bytes = parseMemorySize(text);
      if (bytes === null || bytes < MIN_MEMORY_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a memory size of at least 6m (write 512m, 4g)`,
        });
        return z.NEVER;
      }
      return bytes;
    });

/** A size in bytes like 500m or 10g (artifact caps); any positive size. */
const byteSize = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return fallback;
      const bytes = parseMemorySize(text);
      if (bytes === null || bytes < 1) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a size (write 500m, 10g)` });
        return z.NEVER;
      }
      return bytes;
    });

/** A CPU count; empty or unset: no limit. */
const cpuCount = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return null;
    const cpus = Number(text);
    if (!Number.isFinite(cpus) || cpus <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a positive number of CPUs` });
      return z.NEVER;
    }
    return cpus;
  });

const pidCount = (fallback: number) => z.coerce.number().int().min(MIN_PIDS).default(fallback);

export const configSchema = z.object({
  SLIPWAY_DATA_DIR: z.string().default('.slipway'),
  SLIPWAY_HOST: z.string().default('127.0.0.1'),
  SLIPWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** How users and agents reach this server (used in printed URLs and git remotes). */
  SLIPWAY_PUBLIC_URL: z.string().url().optional(),
  /** `sqlite:<path>` (default: <data dir>/slipway.db) or `postgres://…`. */
  SLIPWAY_DATABASE_URL: z.string().optional(),
  SLIPWAY_ADMIN_USER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/)
    .default('admin'),
  /** When unset, the first start generates a one-time password and prints it. */
  SLIPWAY_ADMIN_PASSWORD: z.string().min(12).optional(),
  /** 32-byte key (hex or base64) for secrets at rest; default: generated into <data dir>/secret.key. */
  SLIPWAY_SECRET_KEY: z.string().optional(),
  SLIPWAY_EMBEDDED_AGENT: bool(true),
  /** Capacity of the embedded agent: runs it executes at once. */
  SLIPWAY_AGENT_CAPACITY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Labels of the embedded agent, `k=v,k2=v2` (default none besides the built-in os and arch
   * of this host): runs whose `runs_on` asks for others wait for a standalone agent.
   */
  SLIPWAY_AGENT_LABELS: z
    .string()
    .default('')
    .superRefine((text, ctx) => {
      const parsed = parseLabelList(text.split(','));
      if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
    }),
  /** Jobs of one run the embedded agent starts at once (a wide stage starts in waves). */
  SLIPWAY_AGENT_MAX_PARALLEL_JOBS: z.coerce.number().int().min(1).max(256).default(8),
  /** Pre-started job containers the embedded agent keeps per project (0: none); see warm-pool.ts. */
  SLIPWAY_WARM_CONTAINERS: z.coerce.number().int().min(0).max(64).default(10),
  SLIPWAY_DEMO: bool(true),
  /** An agent that has not heartbeated for this long loses its lease. */
  SLIPWAY_LEASE_TIMEOUT: duration('30s'),
  /** Re-queue the run of a lost agent instead of failing it with "agent lost". */
  SLIPWAY_REQUEUE_LOST: bool(false),
  /** Projects may be made public (read without sign-in); off: choosing `public` is refused. */
  SLIPWAY_ALLOW_PUBLIC_PROJECTS: bool(false),
  SLIPWAY_LOG_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  /** How long a run's workspace is kept for "resume from failed". */
  SLIPWAY_WORKSPACE_RETENTION: duration('24h'),
  SLIPWAY_WEBHOOK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /** Largest pack one `git push` to a built-in repository may send, in bytes (default 1 GiB). */
  /** Largest cache archive an agent may upload to the server's cache store (413 beyond). */
  SLIPWAY_CACHE_MAX_BYTES: byteSize(2 * 1024 ** 3),
  /** Total size of the server's cache store; the least recently used caches go first. */
  SLIPWAY_CACHE_TOTAL_BYTES: byteSize(20 * 1024 ** 3),
  /** A cache in the server's store not used (restored or saved) for this long is removed. */
  SLIPWAY_CACHE_MAX_AGE: duration('168h'),
  SLIPWAY_GIT_MAX_PUSH_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024 * 1024)
    .default(1024 * 1024 * 1024),
  SLIPWAY_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Comma-separated hosts, IPs, CIDRs or `file://` that remote sources may use although private. */
  SLIPWAY_OUTBOUND_ALLOWLIST: z.string().default(''),
  /** Set when behind a reverse proxy, so per-IP login limits see the client, not the proxy. */
  SLIPWAY_TRUST_PROXY: bool(false),
  SLIPWAY_LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('warn'),
  DOCKER_HOST: z.string().optional(),
  /** How the embedded agent's Swarm services publish ports; default: detected (ingress needs IPVS). */
  SLIPWAY_SWARM_PUBLISH: z.enum(['ingress', 'proxy']).optional(),
  /** An environment no agent reported for this long shows health `unknown`. */
  SLIPWAY_OBSERVATION_STALE: duration('60s'),
  /** Per-minute traffic counters of deployed applications are kept this many days. */
  SLIPWAY_TRAFFIC_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Collected behaviour events (page views, events, client errors) are kept this many days. */
  SLIPWAY_BEHAVIOUR_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Memory of a job (and of each of its services) that asks for none in `resources:`. */
  SLIPWAY_JOB_MEMORY: memorySize(BUILTIN_RESOURCE_LIMITS.default.memoryBytes),
  /** Most memory a job may ask for; a larger request is limited to it, with a warning. */
  SLIPWAY_JOB_MAX_MEMORY: memorySize(BUILTIN_RESOURCE_LIMITS.max.memoryBytes),
  /** Processes and threads of a job that asks for no `pids`. */
  SLIPWAY_JOB_PIDS: pidCount(BUILTIN_RESOURCE_LIMITS.default.pids),
  /** Most processes and threads a job may ask for. */
  SLIPWAY_JOB_MAX_PIDS: pidCount(BUILTIN_RESOURCE_LIMITS.max.pids),
  /** CPUs of a job that asks for none; unset: no limit. */
  SLIPWAY_JOB_CPUS: cpuCount,
  /** Most CPUs a job may ask for; unset: no maximum. */
  SLIPWAY_JOB_MAX_CPUS: cpuCount,
  /**
   * Interface the embedded agent's deploy port proxies listen on: 0.0.0.0 (every interface, like
   * `docker run -p`) by default; 127.0.0.1 keeps published ports for a reverse proxy on this host.
   */
  SLIPWAY_PUBLISH_HOST: z
    .string()
    .default('0.0.0.0')
    .refine((v) => isIP(v) !== 0, 'must be an IP address of this host, e.g. 0.0.0.0, 127.0.0.1 or ::'),
  ...notifyConfigSchema,
  ...collectConfigSchema,
  /** Largest artifact archive one job may upload (compressed bytes). */
  SLIPWAY_ARTIFACT_MAX_JOB_BYTES: byteSize(1024 * 1024 * 1024),
  /** Artifacts one project may keep in all; an upload beyond it is refused (oldest expire first). */
  SLIPWAY_ARTIFACT_PROJECT_QUOTA_BYTES: byteSize(10 * 1024 * 1024 * 1024),
  /** How long artifacts are kept when the job's `expire_in` says nothing. */
  SLIPWAY_ARTIFACT_EXPIRE_IN: duration('720h'),
});

export interface ServerConfig {
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string | null;
  databaseUrl: string;
  adminUser: string;
  adminPassword: string | null;
  secretKey: string | null;
  embeddedAgent: boolean;
  agentCapacity: number;
  agentMaxParallelJobs: number;
  warmContainers: number;
  /** SLIPWAY_AGENT_LABELS, parsed (the embedded agent adds os and arch of the host). */
  agentLabels?: Record<string, string>;
  demo: boolean;
  leaseTimeoutMs: number;
  requeueLost: boolean;
  /** SLIPWAY_ALLOW_PUBLIC_PROJECTS: whether `public` project visibility is allowed (access/). */
  allowPublicProjects: boolean;
  logMaxBytes: number;
  workspaceRetentionMs: number;
  webhookMaxBytes: number;
  gitMaxPushBytes: number;
  /** The server's cache store (caches/cache-store.ts): one archive's cap, the total, the age. */
  cacheMaxBytes: number;
  cacheTotalBytes: number;
  cacheMaxAgeMs: number;
  loginRateLimit: number;
  outboundAllowlist: string[];
  trustProxy: boolean;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  dockerHost: string | null;
  swarmPublish: 'ingress' | 'proxy' | null;
  observationStaleMs: number;
  trafficRetentionDays: number;
  behaviourRetentionDays: number;
  /** Defaults and maxima of jobs' `resources:`, sent to agents with every lease. */
  jobResourceLimits: ResourceLimits;
  /** Where deploy port proxies listen (SLIPWAY_PUBLISH_HOST). */
  publishHost: string;
  /** Notifications, commit statuses and sign-in providers (config-notify.ts). */
  notify: NotifyConfig;
  /** SLIPWAY_COLLECT_*: limits of the public behaviour endpoint (config-collect.ts). */
  collect: CollectConfig;
  /** SLIPWAY_ARTIFACT_*: caps and default expiry of job artifacts. */
  artifacts: { maxJobBytes: number; projectQuotaBytes: number; defaultExpiryMs: number };
}

export class ConfigError extends Error {}

export function loadServerConfig(env: Record<string, string | undefined>, cwd: string): ServerConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const dataDir = resolve(cwd, c.SLIPWAY_DATA_DIR);
  return {
    dataDir,
    host: c.SLIPWAY_HOST,
    port: c.SLIPWAY_PORT,
    publicUrl: c.SLIPWAY_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    databaseUrl: c.SLIPWAY_DATABASE_URL ?? `sqlite:${resolve(dataDir, 'slipway.db')}`,
    adminUser: c.SLIPWAY_ADMIN_USER,
    adminPassword: c.SLIPWAY_ADMIN_PASSWORD ?? null,
    secretKey: c.SLIPWAY_SECRET_KEY ?? null,
    embeddedAgent: c.SLIPWAY_EMBEDDED_AGENT,
    agentCapacity: c.SLIPWAY_AGENT_CAPACITY,
    agentMaxParallelJobs: c.SLIPWAY_AGENT_MAX_PARALLEL_JOBS,
    warmContainers: c.SLIPWAY_WARM_CONTAINERS,
    agentLabels: labelsOf(c.SLIPWAY_AGENT_LABELS),
    demo: c.SLIPWAY_DEMO,
    leaseTimeoutMs: c.SLIPWAY_LEASE_TIMEOUT,
    requeueLost: c.SLIPWAY_REQUEUE_LOST,
    allowPublicProjects: c.SLIPWAY_ALLOW_PUBLIC_PROJECTS,
    logMaxBytes: c.SLIPWAY_LOG_MAX_BYTES,
    workspaceRetentionMs: c.SLIPWAY_WORKSPACE_RETENTION,
    webhookMaxBytes: c.SLIPWAY_WEBHOOK_MAX_BYTES,
    gitMaxPushBytes: c.SLIPWAY_GIT_MAX_PUSH_BYTES,
    cacheMaxBytes: c.SLIPWAY_CACHE_MAX_BYTES,
    cacheTotalBytes: c.SLIPWAY_CACHE_TOTAL_BYTES,
    cacheMaxAgeMs: c.SLIPWAY_CACHE_MAX_AGE,
    loginRateLimit: c.SLIPWAY_LOGIN_RATE_LIMIT,
    outboundAllowlist: c.SLIPWAY_OUTBOUND_ALLOWLIST.split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    trustProxy: c.SLIPWAY_TRUST_PROXY,
    logLevel: c.SLIPWAY_LOG_LEVEL,
    swarmPublish: c.SLIPWAY_SWARM_PUBLISH ?? null,
    observationStaleMs: c.SLIPWAY_OBSERVATION_STALE,
    trafficRetentionDays: c.SLIPWAY_TRAFFIC_RETENTION_DAYS,
    behaviourRetentionDays: c.SLIPWAY_BEHAVIOUR_RETENTION_DAYS,
    publishHost: c.SLIPWAY_PUBLISH_HOST,
    notify: notifyConfigOf(c),
    collect: collectConfigOf(c),
    artifacts: {
      maxJobBytes: c.SLIPWAY_ARTIFACT_MAX_JOB_BYTES,
      projectQuotaBytes: c.SLIPWAY_ARTIFACT_PROJECT_QUOTA_BYTES,
      defaultExpiryMs: c.SLIPWAY_ARTIFACT_EXPIRE_IN,
    },
    dockerHost: c.DOCKER_HOST ?? null,
    jobResourceLimits: {
      default: { memoryBytes: c.SLIPWAY_JOB_MEMORY, pids: c.SLIPWAY_JOB_PIDS, cpus: c.SLIPWAY_JOB_CPUS },
      max: {
        memoryBytes: c.SLIPWAY_JOB_MAX_MEMORY,
        pids: c.SLIPWAY_JOB_MAX_PIDS,
        cpus: c.SLIPWAY_JOB_MAX_CPUS,
      },
    },
  };
}

function labelsOf(text: string): Record<string, string> {
  const parsed = parseLabelList(text.split(','));
  return 'labels' in parsed ? parsed.labels : {};
}
