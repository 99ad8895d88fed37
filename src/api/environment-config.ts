import { z } from 'zod';
import { LABEL_KEY, LABEL_VALUE, MAX_LABELS } from '../domain/agent-labels.js';
import { impactConfigSchema } from './impact-config.js';
import { protocolSchema, rolloutConfigSchema } from './rollout-config.js';

/**
 * The config of an environment as users write it through the API (and as releases snapshot it).
 * Durations are milliseconds; everything has a default, so `{}` is a valid config (one replica,
 * no ports, no health check). Secrets are *names* of project secrets, resolved when an agent
 * leases the release (never stored here, never returned).
 */
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'a variable name is letters, digits and _');
const port = z.number().int().min(1).max(65_535);

export const healthCheckConfigSchema = z
  .object({
    http: z
      .object({ path: z.string().startsWith('/').max(1000), port })
      .strict()
      .optional(),
    command: z.array(z.string().min(1)).min(1).max(50).optional(),
    intervalMs: z.number().int().min(100).max(600_000).default(2_000),
    timeoutMs: z.number().int().min(100).max(600_000).default(2_000),
    retries: z.number().int().min(1).max(100).default(3),
    startPeriodMs: z.number().int().min(0).max(3_600_000).default(0),
  })
  .strict()
  .refine((h) => (h.http ? 1 : 0) + (h.command ? 1 : 0) === 1, 'give either http or command');

export const environmentConfigSchema = z
  .object({
    /** Image repository this environment deploys when none is given (e.g. registry/team/api). */
    repository: z.string().min(1).max(500).nullable().default(null),
    variables: z
      .record(envName, z.string().max(64 * 1024))
      .refine((v) => Object.keys(v).length <= 200, 'at most 200 variables')
      .default({}),
    secrets: z.array(envName).max(100).default([]),
    ports: z
      .array(z.object({ published: port, target: port }).strict())
      .max(20)
      .refine((ps) => new Set(ps.map((p) => p.published)).size === ps.length, 'published ports must differ')
      .default([]),
    replicas: z.number().int().min(0).max(100).default(1),
    healthcheck: healthCheckConfigSchema.nullable().default(null),
    resources: z
      .object({
        cpus: z.number().positive().max(256).nullable().default(null),
        memoryMb: z.number().int().min(4).max(1_048_576).nullable().default(null),
      })
      .strict()
      .default({ cpus: null, memoryMb: null }),
    update: z
      .object({
        order: z.enum(['start-first', 'stop-first']).default('start-first'),
        parallelism: z.number().int().min(1).max(100).default(1),
        failureAction: z.enum(['rollback', 'pause']).default('rollback'),
        delayMs: z.number().int().min(0).max(600_000).default(0),
      })
      .strict()
      .default({ order: 'start-first', parallelism: 1, failureAction: 'rollback', delayMs: 0 }),
    /**
     * Pins the environment to agents: a run that deploys here (a release, or a pipeline's
     * `deploy:` job) is leased only by an agent with all these labels, e.g. { pool: production }.
     * Optional (not defaulted) so configs written before labels read back unchanged.
     */
    runsOn: z
      .record(
        z.string().regex(LABEL_KEY, 'a label key is letters, digits, _ . / -'),
        z.string().regex(LABEL_VALUE, 'a label value is letters, digits, _ . / -'),
      )
      .refine((l) => Object.keys(l).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`)
      .optional(),
    /**
     * Four-eyes rule for an approval-gated environment: whoever requested a release (deployed,
     * promoted or pushed the pipeline that deploys) cannot approve it. Optional, off by default.
     */
    fourEyes: z.boolean().optional(),
    /** Release impact windows: `{ window: 30m, min_requests: 100 }` (issue #13). */
    impact: impactConfigSchema.optional(),
    /** What the agent's proxy speaks (rollout-config.ts); unset: http with an http health check. */
    protocol: protocolSchema.optional(),
    /** Canary rollout with automatic rollback (rollout-config.ts); unset: switch at once. */
    rollout: rolloutConfigSchema.nullable().optional(),
  })
  .strict();
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;

/** Which refs' images roll out by themselves: GitFlow classes or anchored regexes, like `only:`. */
export const autoReleaseSchema = z
  .object({ branches: z.array(z.string().min(1).max(200)).min(1).max(50) })
  .strict()
  .nullable();
export type AutoRelease = z.infer<typeof autoReleaseSchema>;

export const TARGETS = ['docker', 'swarm'] as const;
