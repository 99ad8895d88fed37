import { z } from 'zod';

/** DORA performance bands, best first (src/server/insights/dora-bands.ts holds the cut points). */
export const BANDS = ['elite', 'high', 'medium', 'low'] as const;
export type Band = (typeof BANDS)[number];

/** The insights API's answers (GET /api/insights/...), also read by the CLI and the web page. */
const band = z.enum(BANDS).nullable();
const ms = z.number().nullable();

export const insightsScopeJsonSchema = z.object({
  from: z.number(),
  to: z.number(),
  /** Which environments were counted: the `env` asked for, else those flagged production. */
  environments: z.array(z.object({ project: z.string(), application: z.string(), name: z.string() })),
  hotfixWindowMs: z.number(),
});

export const insightsWeekJsonSchema = z.object({
  /** Monday 00:00 UTC of the week (ms). */
  week: z.number(),
  deployments: z.number().int(),
  leadTimeMedianMs: ms,
  changeDeployments: z.number().int(),
  failures: z.number().int(),
  changeFailureRate: z.number().nullable(),
  recoveryMedianMs: ms,
  unplanned: z.number().int(),
  reworkRate: z.number().nullable(),
  changes: z.number().int(),
  /** Mean ms per change of each value-stream segment (changes released this week). */
  valueStream: z.record(z.string(), z.number()),
});

export const insightsSummaryJsonSchema = z.object({
  scope: insightsScopeJsonSchema,
  deploymentFrequency: z.object({ deployments: z.number().int(), perWeek: z.number(), band }),
  leadTime: z.object({
    changes: z.number().int(),
    medianMs: ms,
    p90Ms: ms,
    /** The same from push time (first run of a commit that contains it) instead of author time. */
    fromPushMedianMs: ms,
    fromPushP90Ms: ms,
    band,
  }),
  changeFailureRate: z.object({
    changeDeployments: z.number().int(),
    failures: z.number().int(),
    rate: z.number().nullable(),
    band,
  }),
  recoveryTime: z.object({ recovered: z.number().int(), open: z.number().int(), medianMs: ms, band }),
  reworkRate: z.object({
    deployments: z.number().int(),
    unplanned: z.number().int(),
    rate: z.number().nullable(),
  }),
  band,
  /** Value-stream segments in display order: fixed ones, then `stage:<name>`. */
  segments: z.array(z.string()),
  valueStream: z.record(z.string(), z.number()),
  weeks: z.array(insightsWeekJsonSchema),
});
export type InsightsSummaryJson = z.infer<typeof insightsSummaryJsonSchema>;

export const insightsReleaseJsonSchema = z.object({
  project: z.string(),
  application: z.string(),
  environment: z.string(),
  number: z.number().int(),
  trigger: z.string(),
  status: z.string(),
  ref: z.string().nullable(),
  image: z.string().nullable(),
  runNumber: z.number().int().nullable(),
  endedAt: z.number(),
  deployment: z.boolean(),
  failure: z
    .object({
      kind: z.enum(['auto_rollback', 'failed', 'rolled_back_by_hand', 'hotfix']),
      /** The release that shows it: itself (auto rollback, failed), the rollback, or the hotfix. */
      evidenceRelease: z.number().int(),
      reason: z.string().nullable(),
    })
    .nullable(),
  rework: z.enum(['hotfix', 'rollback', 'redeploy']).nullable(),
  recoveryMs: ms,
  recoveredBy: z.number().int().nullable(),
  commits: z.number().int(),
});

export const insightsChangeJsonSchema = z.object({
  sha: z.string(),
  project: z.string(),
  application: z.string(),
  environment: z.string(),
  releaseNumber: z.number().int(),
  runNumber: z.number().int().nullable(),
  authoredAt: z.number(),
  pushedAt: z.number().nullable(),
  releasedAt: z.number(),
  leadTimeMs: z.number(),
  segments: z.record(z.string(), z.number()),
});

export const insightsChangesJsonSchema = z.object({
  scope: insightsScopeJsonSchema,
  total: z.number().int(),
  releases: z.array(insightsReleaseJsonSchema),
  changes: z.array(insightsChangeJsonSchema),
});
export type InsightsChangesJson = z.infer<typeof insightsChangesJsonSchema>;
export type InsightsReleaseJson = z.infer<typeof insightsReleaseJsonSchema>;
export type InsightsChangeJson = z.infer<typeof insightsChangeJsonSchema>;
