import type { Readable } from 'node:stream';
import { isValidRefName } from '../../domain/ref.js';
import type { ServerContext } from '../context.js';
import { invalid } from '../errors.js';
import type { ProjectRow } from '../store/tables.js';
import { pushRefusal } from './push-refusal.js';
import { type PendingPush, recordPushedRefs } from './push-runs.js';
import { readReceiveCommands } from './receive-commands.js';
import { isZeroId } from './ref-names.js';

/**
 * What happens to a push before git sees it: its ref updates are read off the request, checked
 * against the one ref-name rule (domain/ref.ts — the manual-run API and webhooks use the same),
 * and recorded, so that the runs of a push git then acknowledges cannot be lost. A push that
 * fails either step is refused as a whole, with git's own report format (push-refusal.ts), and
 * git never runs: no ref moves that Slipway has not recorded.
 */

export type Admission = { body: Readable; pending: PendingPush[] } | { refusal: Buffer };

export async function admitPush(
  ctx: Pick<ServerContext, 'db' | 'now' | 'log'>,
  project: ProjectRow,
  body: Readable,
  actor: string,
): Promise<Admission> {
  const intake = await readReceiveCommands(body).catch((error: Error) => {
    throw invalid('body', `the push could not be read: ${error.message}`);
  });
  const refuse = (reason: (ref: string) => string, message: string): Admission => {
    // The pack is not wanted: read and drop it, so the client can finish sending and read the answer.
    intake.body.resume();
    return {
      refusal: pushRefusal(intake.commands, intake.capabilities, (c) => reason(c.ref), message),
    };
  };
  if (!intake.complete) {
    throw invalid('body', 'the push request has no complete list of ref updates (at most 1 MiB)');
  }
  // Deleting is always allowed: it is how a branch pushed before this rule existed is cleaned up.
  const bad = intake.commands.filter((c) => !isZeroId(c.newOid) && !isValidRefName(c.ref));
  if (bad.length > 0) {
    const names = bad.map((c) => c.ref).join(', ');
    return refuse(
      (ref) => (bad.some((c) => c.ref === ref) ? 'invalid ref name' : 'push refused as a whole'),
      `Slipway refuses ref names git could read as options or revisions (${names}); nothing was updated`,
    );
  }
  try {
    return { body: intake.body, pending: await recordPushedRefs(ctx, project, intake.commands, actor) };
  } catch (error) {
    ctx.log.error({ err: error, project: project.name }, 'could not record a push; refusing it');
    return refuse(
      () => 'Slipway could not record the push',
      'Slipway could not record this push (database unavailable); nothing was updated, try again',
    );
  }
}
