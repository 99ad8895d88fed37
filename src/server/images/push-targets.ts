/**
 * Where a run's build jobs would push (security rule 11). A push target comes from the
 * repository (`build.registry`, or the host in `build.image`), so it is a user-chosen outbound
 * destination like a remote or a registry entry — but it is the agent's engine that connects,
 * so the server decides before it hands the lease out: a job whose target resolves to a
 * loopback, link-local or private address that is not allowlisted gets a refusal, which the
 * agent turns into a visible job failure.
 */
import { registryOf } from '../../domain/image-reference.js';
import type { Plan, PlanJob } from '../../pipeline/plan/plan.js';
import { type OutboundPolicy, OutboundRefused } from '../git/outbound-policy.js';

/** The registry host a build job pushes to, or null when it keeps its image local. */
export function pushTargetOf(job: PlanJob, projectName: string | undefined): string | null {
  const build = job.build;
  if (!build) return null;
  // As the runtime names it (runtime/build-spec.ts): the project's name when the build names none.
  const named = build.repository ?? (projectName ?? '').toLowerCase();
  const registry = build.registry ?? registryOf(named);
  const push = build.push ?? registry !== null;
  return push ? registry : null;
}

/** Per job name: why its push is refused. Jobs outside `selection` (when not empty) are left alone. */
export async function refusedPushTargets(
  policy: OutboundPolicy,
  plan: Plan,
  selection: readonly string[],
  projectName: string | undefined,
): Promise<Record<string, string>> {
  const chosen = new Set(selection);
  const refusals: Record<string, string> = {};
  for (const job of plan.stages.flatMap((s) => s.jobs)) {
    if (job.skip !== null || (chosen.size > 0 && !chosen.has(job.name))) continue;
    const host = pushTargetOf(job, projectName);
    if (host === null) continue;
    let url: URL;
    try {
      url = new URL(`https://${host}/`);
    } catch {
      refusals[job.name] = `job "${job.name}": push target ${host} is not a registry host[:port]`;
      continue;
    }
    try {
      await policy.check({ kind: 'http', url, authorization: null });
    } catch (error) {
      if (!(error instanceof OutboundRefused)) throw error;
      refusals[job.name] =
        `job "${job.name}": the server refuses to push to ${host}: ${error.message} ` +
        `(add it to SLIPWAY_OUTBOUND_ALLOWLIST to allow pushes there)`;
    }
  }
  return refusals;
}
