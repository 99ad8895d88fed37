import { randomUUID } from 'node:crypto';
import { randomSecret } from '../auth/credentials.js';
import type { ServerContext } from '../context.js';
import { conflict, unavailable } from '../errors.js';
import type { Forge, ProjectRow } from '../store/tables.js';
import type { Visibility } from '../store/tables-access.js';
import { isUniqueViolation } from '../store/unique-violation.js';

export type ProjectSource = { kind: 'builtin' } | { kind: 'remote'; url: string; forge: Forge };

export interface NewProject {
  name: string;
  source: ProjectSource;
  defaultBranch: string;
  concurrencyLimit: number;
  trusted: boolean;
  /** Off when absent (the first-start demo project). */
  autoCancelSuperseded?: boolean;
  /** Internal when absent (the first-start demo project); the API defaults to private. */
  visibility?: Visibility;
}

/**
 * Stores a project with a fresh webhook secret (sealed at rest; the plain value is returned to
 * be shown once) and, for a built-in project, creates its bare repository. Shared by the API and
 * the first-start bootstrap so both make projects the same way.
 */
export async function createProject(
  ctx: Pick<ServerContext, 'db' | 'secretBox' | 'sources' | 'now' | 'log'>,
  input: NewProject,
): Promise<{ project: ProjectRow; webhookSecret: string }> {
  const webhookSecret = randomSecret();
  const project: ProjectRow = {
    id: randomUUID(),
    name: input.name,
    source_kind: input.source.kind,
    remote_url: input.source.kind === 'remote' ? input.source.url : null,
    forge: input.source.kind === 'remote' ? input.source.forge : null,
    default_branch: input.defaultBranch,
    webhook_secret: ctx.secretBox.seal(webhookSecret),
    concurrency_limit: input.concurrencyLimit,
    trusted: input.trusted ? 1 : 0,
    auto_cancel_superseded: input.autoCancelSuperseded ? 1 : 0,
    visibility: input.visibility ?? 'internal',
    created_at: ctx.now(),
  };
  try {
    await ctx.db.insertInto('projects').values(project).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`project "${input.name}" already exists`);
    throw error;
  }
  if (project.source_kind === 'builtin') {
    try {
      await ctx.sources.ensureRepository(project);
    } catch (error) {
      // A project without its repository would accept no push: undo, so a retry starts clean.
      ctx.log.error({ err: error, project: project.name }, 'could not create the git repository');
      await ctx.db.deleteFrom('projects').where('id', '=', project.id).execute();
      throw unavailable(`could not create the git repository of "${project.name}"; try again later`);
    }
  }
  return { project, webhookSecret };
}
