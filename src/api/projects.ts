import { z } from 'zod';
import { isValidShortRefName } from '../domain/ref.js';
import { diagnosticJsonSchema } from './runs.js';

/**
 * The API shapes of projects and their refs: the routes (project-crud-routes.ts, ref-routes.ts)
 * validate and document them, src/server/projects/project-json.ts fills them, the web UI and the
 * CLI read the inferred types. Times are Unix milliseconds.
 */

/**
 * Names end up in URLs (`/git/<name>.git`) and on disk, so they are a strict, lowercase,
 * path-safe set.
 */
export const PROJECT_NAME = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,62}$/,
    'lowercase letters, digits, "_", "." or "-", starting with a letter or digit, at most 63',
  )
  .refine((name) => !name.endsWith('.git') && !name.includes('..'), 'may not end in ".git" or contain ".."');

/** Branch names follow git's own ref rules so a stored branch is always one git can name. */
export const BRANCH = z.string().min(1).max(255).refine(isValidShortRefName, 'not a valid git branch name');
export const FORGE = z.enum(['github', 'gitea', 'gitlab', 'gitee']);
export const CONCURRENCY_LIMIT = z.number().int().min(1).max(64);
/** private (members only), internal (every signed-in user) or public (also without sign-in). */
export const VISIBILITY = z.enum(['private', 'internal', 'public']);
export type Visibility = z.infer<typeof VISIBILITY>;

export const ProjectJsonSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.object({
    kind: z.enum(['builtin', 'remote']),
    url: z.string().optional(),
    forge: FORGE.optional(),
  }),
  /** Clone/push URL of a built-in repository. */
  gitUrl: z.string().optional(),
  /** Where the forge of a remote project sends its webhooks. */
  webhookUrl: z.string().optional(),
  defaultBranch: z.string(),
  concurrencyLimit: z.number(),
  trusted: z.boolean(),
  /** Whether the status badge answers without sign-in (off by default). */
  publicBadge: z.boolean(),
  /**
   * Whether a push (or pull request update) cancels the older queued and interruptible running
   * runs of its branch (or request), recorded as "superseded by #N". Off by default.
   */
  autoCancelSuperseded: z.boolean(),
  visibility: VISIBILITY,
  createdAt: z.number(),
  /**
   * The caller's role in this project (membership, visibility and instance role combined), on
   * `GET /api/projects/:project`: what the UI shows buttons for. Absent in lists.
   */
  myRole: z.enum(['viewer', 'developer', 'maintainer']).optional(),
});
export type ProjectJson = z.infer<typeof ProjectJsonSchema>;

/** The newest run of a project, as the project list shows it. */
export const LatestRunSchema = z.object({
  number: z.number(),
  record: z.string(),
  status: z.string(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type LatestRun = z.infer<typeof LatestRunSchema>;

/** GET /api/projects item. */
export const ProjectListItemSchema = ProjectJsonSchema.extend({
  latestRun: LatestRunSchema.nullable(),
  /** Durations (ms, oldest first) of the last finished runs, for a sparkline. */
  recentDurations: z.array(z.number()),
});
export type ProjectListItem = z.infer<typeof ProjectListItemSchema>;

/** POST /api/projects answer: the webhook secret appears only here. */
export const CreatedProjectSchema = ProjectJsonSchema.extend({ webhookSecret: z.string() });
export type CreatedProject = z.infer<typeof CreatedProjectSchema>;

/** POST /api/projects/:project/webhook-secret answer. */
export const WebhookSecretSchema = z.object({ webhookSecret: z.string() });

const ProjectSourceBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin') }),
  z.object({ kind: z.literal('remote'), url: z.string().min(1).max(2048), forge: FORGE }),
]);

/** POST /api/projects body. */
export const CreateProjectBodySchema = z.object({
  name: PROJECT_NAME,
  source: ProjectSourceBody,
  defaultBranch: BRANCH.default('main'),
  concurrencyLimit: CONCURRENCY_LIMIT.default(2),
  trusted: z.boolean().default(false),
  autoCancelSuperseded: z.boolean().default(false),
  /** New projects are private: only their members (the creator is the first) and admins see them. */
  visibility: VISIBILITY.default('private'),
});
/** What a client sends (defaults may be left out). */
export type CreateProjectBody = z.input<typeof CreateProjectBodySchema>;

/** PATCH /api/projects/:project body: only the fields sent change. */
export const UpdateProjectBodySchema = z.object({
  defaultBranch: BRANCH.optional(),
  concurrencyLimit: CONCURRENCY_LIMIT.optional(),
  trusted: z.boolean().optional(),
  publicBadge: z.boolean().optional(),
  autoCancelSuperseded: z.boolean().optional(),
  visibility: VISIBILITY.optional(),
});
export type UpdateProjectBody = z.infer<typeof UpdateProjectBodySchema>;

export const RefInfoSchema = z.object({ name: z.string(), sha: z.string() });
export type RefInfo = z.infer<typeof RefInfoSchema>;

/** GET /api/projects/:project/refs answer. */
export const RefListSchema = z.object({ branches: z.array(RefInfoSchema), tags: z.array(RefInfoSchema) });
export type RefList = z.infer<typeof RefListSchema>;

/** GET /api/projects/:project/pipeline answer: the `.slipway.yml` at a ref with its diagnostics. */
export const PipelineAtRefSchema = z.object({
  ref: z.string(),
  sha: z.string(),
  text: z.string().nullable(),
  diagnostics: z.array(diagnosticJsonSchema),
});
export type PipelineAtRef = z.infer<typeof PipelineAtRefSchema>;
