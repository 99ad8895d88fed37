import { z } from 'zod';
import { redactRemoteUrl } from '../git/remote-url.js';
import type { ProjectRow } from '../store/tables.js';
import { FORGE } from './project-fields.js';

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
  /** private (members only), internal (every signed-in user) or public (also without sign-in). */
  visibility: z.enum(['private', 'internal', 'public']),
  createdAt: z.number(),
  /**
   * The caller's role in this project (membership, visibility and instance role combined), on
   * `GET /api/projects/:project`: what the UI shows buttons for. Absent in lists.
   */
  myRole: z.enum(['viewer', 'developer', 'maintainer']).optional(),
});
export type ProjectJson = z.infer<typeof ProjectJsonSchema>;

/**
 * A project as the API shows it — never its webhook secret, nor credentials in a remote URL. `origin` is the server's public URL
 * (or the request's origin when none is configured), used for the git and webhook URLs.
 */
export function projectJson(row: ProjectRow, origin: string): ProjectJson {
  const builtin = row.source_kind === 'builtin';
  return {
    id: row.id,
    name: row.name,
    source: builtin
      ? { kind: 'builtin' }
      : {
          kind: 'remote',
          url: redactRemoteUrl(row.remote_url ?? ''),
          ...(row.forge ? { forge: row.forge } : {}),
        },
    ...(builtin ? { gitUrl: `${origin}/git/${row.name}.git` } : {}),
    ...(!builtin && row.forge ? { webhookUrl: `${origin}/api/hooks/${row.name}/${row.forge}` } : {}),
    defaultBranch: row.default_branch,
    concurrencyLimit: row.concurrency_limit,
    trusted: row.trusted === 1,
    publicBadge: row.public_badge === 1,
    autoCancelSuperseded: row.auto_cancel_superseded === 1,
    visibility: row.visibility ?? 'internal',
    createdAt: row.created_at,
  };
}
