import type { Kysely } from 'kysely';
import { type OutboundPolicy, OutboundRefused } from '../git/outbound-policy.js';
import type { SecretBox } from '../services.js';
import type { Database } from '../store/tables.js';
import type { CommitStatusPayload } from './commit-status-follow-up.js';
import { forgeRepo, forgeStatusRequest, offersCommitStatus } from './forge-status.js';
import { sendOutbound } from './outbound-http.js';
import type { Attempt, DueDelivery } from './outbox.js';

/**
 * Sends one queued commit status with the project's token as it is now. A 4xx other than 429
 * (bad token, unknown repository or commit) will not get better by retrying: it fails at once,
 * and the settings page shows the forge's answer.
 */
export function commitStatusSender(deps: {
  db: Kysely<Database>;
  secretBox: SecretBox;
  policy: OutboundPolicy;
  timeoutMs: number;
}): (row: DueDelivery) => Promise<Attempt> {
  return async (row) => {
    const project = await deps.db
      .selectFrom('projects')
      .leftJoin('commit_status_settings', 'commit_status_settings.project_id', 'projects.id')
      .select([
        'projects.forge',
        'projects.remote_url',
        'commit_status_settings.token',
        'commit_status_settings.api_url',
      ])
      .where('projects.id', '=', row.project_id ?? '')
      .executeTakeFirst();
    if (!project || !offersCommitStatus(project.forge) || !project.remote_url || !project.token) {
      return {
        ok: false,
        code: null,
        error: 'commit statuses are no longer set up for this project',
        permanent: true,
      };
    }
    const repo = forgeRepo(project.forge, project.remote_url, project.api_url);
    if (!repo)
      return { ok: false, code: null, error: 'the remote URL names no owner/repository', permanent: true };
    const payload = JSON.parse(row.payload) as CommitStatusPayload;
    const request = forgeStatusRequest(
      project.forge,
      repo,
      payload.sha,
      payload,
      deps.secretBox.open(project.token),
    );
    try {
      const response = await sendOutbound(deps.policy, { ...request, timeoutMs: deps.timeoutMs });
      if (response.status >= 200 && response.status < 300) return { ok: true, code: response.status };
      const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
      return {
        ok: false,
        code: response.status,
        error: `${project.forge} answered ${response.status}: ${response.text.slice(0, 300)}`,
        permanent,
      };
    } catch (error) {
      if (error instanceof OutboundRefused) {
        return { ok: false, code: null, error: `outbound policy: ${error.message}`, permanent: true };
      }
      return { ok: false, code: null, error: error instanceof Error ? error.message : String(error) };
    }
  };
}
