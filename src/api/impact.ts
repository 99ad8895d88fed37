import { z } from 'zod';

/**
 * The answers of the impact API (issue #13) as zod schemas: they document the OpenAPI answer and
 * type the CLI and web UI. Verdicts, phases and test names are stable codes the clients
 * translate; rates are fractions (0.2 = 20 %), latencies milliseconds, times Unix ms.
 */
export const verdictSchema = z.enum(['better', 'no_change', 'worse', 'not_enough_data']);
export const changeSchema = z.enum(['better', 'no_change', 'worse']);

/** not_live: the release never went live (failed, canceled, still running or waiting);
 * collecting: its after-window is still open; final: the window closed, the card no longer changes. */
export const phaseSchema = z.enum(['not_live', 'collecting', 'final']);

export const sideJsonSchema = z.object({
  /** Release whose rows this side counts (null: nothing served before, the first release). */
  release: z.number().int().nullable(),
  from: z.number(),
  to: z.number(),
  requests: z.number(),
  errors: z.number(),
  status4xx: z.number(),
  /** Minutes of the window that had traffic. */
  minutes: z.number(),
  errorRate: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export const testJsonSchema = z.object({
  /** two_proportion_z (error rates) or mann_whitney_u (latency, from histograms). */
  test: z.enum(['two_proportion_z', 'mann_whitney_u']),
  z: z.number(),
  pValue: z.number(),
  change: changeSchema,
});

export const comparisonJsonSchema = z.object({
  verdict: verdictSchema,
  errorRate: testJsonSchema,
  latency: testJsonSchema,
});

export const impactCardJsonSchema = z.object({
  release: z.object({
    number: z.number().int(),
    environment: z.string(),
    status: z.string(),
    trigger: z.string(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
  }),
  phase: phaseSchema,
  settings: z.object({
    windowMs: z.number(),
    minRequests: z.number(),
    alpha: z.number(),
    minErrorRateDelta: z.number(),
    minLatencyRatio: z.number(),
    source: z.object({
      window: z.enum(['default', 'environment', 'request']),
      minRequests: z.enum(['default', 'environment', 'request']),
    }),
  }),
  before: sideJsonSchema,
  after: sideJsonSchema,
  verdict: verdictSchema,
  tests: comparisonJsonSchema.omit({ verdict: true }),
  /** Canary vs stable in the same minutes, when the release ran as a canary; else null. */
  canary: z
    .object({
      from: z.number(),
      to: z.number(),
      stable: sideJsonSchema,
      canary: sideJsonSchema,
      verdict: verdictSchema,
      tests: comparisonJsonSchema.omit({ verdict: true }),
    })
    .nullable(),
  /** Client errors (behaviour events of kind error) attributed to the releases in each window. */
  clientErrors: z.object({ before: z.number(), after: z.number(), total: z.number() }),
  /** Feedback messages left while this release served. */
  feedback: z.object({ count: z.number(), averageRating: z.number().nullable() }),
});
export type ImpactCardJson = z.infer<typeof impactCardJsonSchema>;
export type SideJson = z.infer<typeof sideJsonSchema>;

export const timelineJsonSchema = z.object({
  environment: z.string(),
  from: z.number(),
  to: z.number(),
  stepMs: z.number(),
  /** One point per step, oldest first; null rates/latency where a step had no requests. */
  points: z.array(
    z.object({
      t: z.number(),
      requests: z.number(),
      errors: z.number(),
      errorRate: z.number().nullable(),
      p95: z.number().nullable(),
      canaryRequests: z.number(),
    }),
  ),
  markers: z.array(
    z.object({
      number: z.number().int(),
      /** When it went live (finished), else when it started, else when it was asked for. */
      at: z.number(),
      status: z.string(),
      trigger: z.string(),
      verdict: verdictSchema.nullable(),
      phase: phaseSchema,
    }),
  ),
});
export type TimelineJson = z.infer<typeof timelineJsonSchema>;

const briefSideSchema = sideJsonSchema.pick({ release: true, requests: true, errorRate: true, p95: true });

export const verdictListJsonSchema = z.object({
  releases: z.array(
    z.object({
      number: z.number().int(),
      environment: z.string(),
      status: z.string(),
      /** Null when the release never went live. */
      verdict: verdictSchema.nullable(),
      phase: phaseSchema,
      before: briefSideSchema,
      after: briefSideSchema,
      canaryVerdict: verdictSchema.nullable(),
    }),
  ),
});
export type VerdictListJson = z.infer<typeof verdictListJsonSchema>;
