import { z } from 'zod';
import { runTestCountsSchema } from './runs.js';

/**
 * The project page's header beside the name (project-overview-routes.ts): the newest image the
 * project's builds produced (镜像), and the test counts and coverage of the newest default-branch
 * run that reported tests; and the commit a branch or tag points at, for "Run manually".
 */
export const ProjectOverviewJson = z.object({
  defaultBranch: z.string(),
  image: z
    .object({
      repository: z.string(),
      tag: z.string(),
      digest: z.string().nullable(),
      createdAt: z.number(),
    })
    .nullable(),
  tests: runTestCountsSchema
    .extend({ runNumber: z.number().int(), record: z.string(), createdAt: z.number() })
    .nullable(),
});
export type ProjectOverviewJsonType = z.infer<typeof ProjectOverviewJson>;

export const CommitAtRefJson = z.object({
  ref: z.object({ kind: z.enum(['branch', 'tag']), name: z.string() }),
  sha: z.string(),
  shortSha: z.string(),
  message: z.string(),
  author: z.string(),
  /** Commit time (ms); null when git could not tell. */
  time: z.number().nullable(),
});
export type CommitAtRef = z.infer<typeof CommitAtRefJson>;
