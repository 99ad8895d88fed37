import { z } from 'zod';
import { autoReleaseSchema, environmentConfigSchema, TARGETS } from './environment-config.js';

/**
 * The API shapes of releases, environments and applications: the routes (release-routes.ts,
 * application-routes.ts) validate and document them, src/server/deploys/release-json.ts fills
 * them from rows, the web UI and the CLI read the inferred types. Times are Unix milliseconds.
 */
export const releaseJsonSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  environment: z.string(),
  image: z.string().nullable(),
  digest: z.string().nullable(),
  configVersion: z.number().int(),
  replicas: z.number().int(),
  trigger: z.string(),
  actor: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  /** A stable code for `reason` with its parameters (e.g. canary_failed), when the agent gave one. */
  reasonCode: z.string().optional(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  sourceSha: z.string().nullable(),
  /** Number of the run that built the image (pipeline/auto releases). */
  sourceRun: z.number().int().nullable(),
  /** Number of the run that executed the release: its page shows the live log. */
  releaseRun: z.number().int().nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  rollbackOf: z.number().int().nullable(),
  promotedFrom: z.number().int().nullable(),
});
export type ReleaseJson = z.infer<typeof releaseJsonSchema>;

export const HEALTHS = [
  'not_deployed',
  'healthy',
  'deploying',
  'awaiting_approval',
  'degraded',
  'failed',
  // Observed only (see observed-health.ts):
  'down',
  'unknown',
] as const;

export const observedJsonSchema = z.object({
  /** When the agent last reported this environment (Unix ms). */
  at: z.number(),
  running: z.number().int(),
  healthy: z.number().int(),
  desired: z.number().int(),
  image: z.string().nullable(),
  releaseId: z.string().nullable(),
});

export const environmentJsonSchema = z.object({
  name: z.string(),
  position: z.number().int(),
  target: z.string(),
  config: environmentConfigSchema,
  configVersion: z.number().int(),
  requiresApproval: z.boolean(),
  /** Counted as production by delivery insights (migration 018). */
  production: z.boolean(),
  autoRelease: z.object({ branches: z.array(z.string()) }).nullable(),
  /** The last successful release: what should be serving. */
  running: releaseJsonSchema.nullable(),
  /** The newest release, whatever its state. */
  latest: releaseJsonSchema.nullable(),
  /**
   * With an observation (`healthSource: observed`): what an agent saw on the engine —
   * healthy | degraded (some replicas not healthy) | down (none running) | unknown (no report
   * within SLIPWAY_OBSERVATION_STALE: the agent is not reporting). Without one
   * (`healthSource: release`): the result of the last release, as before.
   */
  health: z.enum(HEALTHS),
  healthSource: z.enum(['observed', 'release']),
  /** Replicas of the running release (what was asked for). */
  replicas: z.number().int(),
  /** The latest observation reported by an agent, null when none ever was. */
  observed: observedJsonSchema.nullable(),
});
export type EnvironmentJson = z.infer<typeof environmentJsonSchema>;

export const applicationJsonSchema = z.object({
  name: z.string(),
  createdAt: z.number(),
  environments: z.array(environmentJsonSchema),
});
export type ApplicationJson = z.infer<typeof applicationJsonSchema>;

/** GET /api/projects/:project/applications answer. */
export const ApplicationListSchema = z.object({ applications: z.array(applicationJsonSchema) });
export type ApplicationList = z.infer<typeof ApplicationListSchema>;

/** GET …/applications/:app/releases answer, newest first. */
export const ReleaseListSchema = z.object({ releases: z.array(releaseJsonSchema) });
export type ReleaseList = z.infer<typeof ReleaseListSchema>;

/** Application and environment names end up in container and service names: keep them DNS-safe. */
export const resourceName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'lowercase letters, digits and -, at most 63, starting with a letter or digit',
  );

/** PUT …/environments/:env body (and each environment of a new application). */
export const environmentInputSchema = z
  .object({
    target: z.enum(TARGETS).default('docker'),
    config: environmentConfigSchema.default(() => environmentConfigSchema.parse({})),
    requiresApproval: z.boolean().default(false),
    /** Counts in delivery insights as production; default: kept, or (new) named production/prod/prd. */
    production: z.boolean().optional(),
    autoRelease: autoReleaseSchema.default(null),
    /** Order on the page (dev → staging → production); default: after the others. */
    position: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
export type EnvironmentInput = z.infer<typeof environmentInputSchema>;

/** POST /api/projects/:project/applications body. */
export const applicationInputSchema = z
  .object({
    name: resourceName,
    environments: z
      .array(environmentInputSchema.extend({ name: resourceName }))
      .max(20)
      .default([]),
  })
  .strict();
export type ApplicationInput = z.infer<typeof applicationInputSchema>;

/** Image references we accept from users: a conservative subset of the Docker grammar. */
export const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,499}$/;

/** POST …/environments/:env/deploy body: exactly one of image, imageDigest, runNumber. */
export const deployBodySchema = z
  .object({
    image: z
      .string()
      .regex(IMAGE_REF, 'an image reference such as registry/team/api@sha256:… or api:1.2')
      .optional(),
    imageDigest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'a digest sha256:<64 hex>')
      .optional(),
    runNumber: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((b) => [b.image, b.imageDigest, b.runNumber].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of image, imageDigest, runNumber',
  });
export type DeployBody = z.infer<typeof deployBodySchema>;

/** POST …/environments/:env/promote body: the environment whose running release moves on. */
export const promoteBodySchema = z.object({ from: z.string().min(1).max(63) }).strict();
/** POST …/environments/:env/rollback body: the release number to go back to. */
export const rollbackBodySchema = z.object({ release: z.number().int().min(1) }).strict();
/** POST …/environments/:env/scale body. */
export const scaleBodySchema = z.object({ replicas: z.number().int().min(0).max(100) }).strict();
