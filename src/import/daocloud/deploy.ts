/**
 * DaoCloud's `job_type: DCS_deploy` (deploy the built image to a DaoCloud Services app) → a
 * Slipway `deploy:` job. The application and environment must exist in Slipway first.
 */
import type { JobDraft } from '../draft.js';
import type { Add } from './job.js';

export function deployJob(name: string, body: Record<string, unknown>, add: Add): JobDraft {
  const raw = String(body.app_name ?? body.app ?? body.release_name ?? name);
  const app =
    raw
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'app';
  add('job_type', 'approximated', 'daocloud.dcs_deploy', { app, env: 'production' });
  return { name, deploy: { app: app.slice(0, 63), env: 'production' } };
}
