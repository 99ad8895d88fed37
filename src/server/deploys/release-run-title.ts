/**
 * Which release a release run executes, so the UI titles it in the reader's language instead of
 * the run's English message (`release #N of app to env`, release-run.ts). The app and the
 * environment are the plan's deploy job's; the number ends the run's record (`<app>-<env>-rN`),
 * which release-run.ts writes and nothing else changes.
 */
import type { RunRow } from '../store/tables.js';

export function releaseOfRun(run: Pick<RunRow, 'trigger' | 'plan' | 'record'>): {
  release?: { number: number; app: string; env: string };
} {
  if (run.trigger !== 'deploy') return {};
  const number = /-r(\d+)$/.exec(run.record)?.[1];
  if (!number || !run.plan) return {};
  try {
    const plan = JSON.parse(run.plan) as {
      stages?: { jobs?: { deploy?: { app?: unknown; env?: unknown } }[] }[];
    };
    const deploy = plan.stages?.flatMap((s) => s.jobs ?? []).find((j) => j.deploy)?.deploy;
    if (typeof deploy?.app !== 'string' || typeof deploy.env !== 'string') return {};
    return { release: { number: Number(number), app: deploy.app, env: deploy.env } };
  } catch {
    return {};
  }
}
