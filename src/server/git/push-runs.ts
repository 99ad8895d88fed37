import { parseRef } from '../../domain/ref.js';
import type { ServerContext } from '../context.js';
import type { ProjectRow } from '../store/tables.js';
import { listRefValues } from './git-reads.js';
import type { RefCommand } from './receive-commands.js';
import { isZeroId } from './ref-names.js';

/**
 * One run per branch or tag a push created or moved (deletions start nothing). Called after the
 * push's response went out, so the client never waits for run creation. A ref counts only if it
 * now holds what this push sent: a rejected update, or one overtaken by a later push, does not
 * start a run for a commit that is not there. Failures are logged; they never reach the pusher.
 */
export async function startPushRuns(
  ctx: Pick<ServerContext, 'runs' | 'sources' | 'log'>,
  project: ProjectRow,
  gitDir: string,
  commands: RefCommand[],
  actor: string,
): Promise<void> {
  const wanted = commands.filter(
    (c) => !isZeroId(c.newOid) && (c.ref.startsWith('refs/heads/') || c.ref.startsWith('refs/tags/')),
  );
  if (wanted.length === 0) return;
  const now = new Map(
    (
      await listRefValues(
        gitDir,
        wanted.map((c) => c.ref),
      )
    ).map((v) => [v.ref, v]),
  );
  for (const command of wanted) {
    const current = now.get(command.ref);
    if (!current || current.oid !== command.newOid || !current.commit) continue;
    try {
      await startOne(ctx, project, command, current.commit, actor);
    } catch (error) {
      ctx.log.error(
        { err: error, project: project.name, ref: command.ref },
        'could not start the run of a push',
      );
    }
  }
}

async function startOne(
  ctx: Pick<ServerContext, 'runs' | 'sources'>,
  project: ProjectRow,
  command: RefCommand,
  sha: string,
  actor: string,
): Promise<void> {
  const ref = parseRef(command.ref);
  const kind = ref.kind === 'tag' ? 'tag' : 'push';
  const before = isZeroId(command.oldOid) ? null : command.oldOid;
  const [info, changedFiles] = await Promise.all([
    ctx.sources.commitInfo(project, sha),
    ctx.sources.changedFiles(project, before, sha),
  ]);
  await ctx.runs.createRun({
    project,
    event: {
      kind,
      ref,
      sha,
      author: info?.author ?? actor,
      message: info?.message ?? '',
      changedFiles,
      ...(info ? { commitTime: info.time } : {}),
    },
    trigger: kind,
    actor,
  });
}
