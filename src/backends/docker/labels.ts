/**
 * Everything Slipway creates carries these labels: cleanup finds resources by label, never by
 * name, so a crashed process or a half-finished run can always be swept.
 */
import { createHash } from 'node:crypto';

export const LABEL_MANAGED = 'io.slipway.managed';
export const LABEL_RUN = 'io.slipway.run';
export const LABEL_JOB = 'io.slipway.job';
export const LABEL_SERVICE = 'io.slipway.service';
/** Set by the caller through `run.labels` (`<hostname>:<pid>`); read by `reapStale`. */
export const LABEL_OWNER = 'io.slipway.owner';
/** On workspace volumes: the workspace id (a run id), and when it was created (Unix ms), for pruning. */
export const LABEL_WORKSPACE = 'io.slipway.workspace';
export const LABEL_WORKSPACE_CREATED = 'io.slipway.workspace-created';
/**
 * The installation (a server and its agents, or one standalone agent) that created a resource.
 * Several may share one engine: every cleanup — run teardown, reaping after a crash, pruning
 * kept workspaces — only ever touches resources of its own installation.
 */
export const LABEL_INSTALLATION = 'io.slipway.installation';

/**
 * Whether a resource is `scope`'s to clean up. Without a scope (a one-off `slipway exec`), only
 * resources no installation claims are.
 */
export function inScope(labels: Record<string, string> | undefined, scope: string | undefined): boolean {
  return labels?.[LABEL_INSTALLATION] === scope;
}

/** The label filter listing `scope`'s resources (narrowed further with `inScope`). */
export function scopeFilter(scope: string | undefined): string[] {
  return scope === undefined
    ? [`${LABEL_MANAGED}=true`]
    : [`${LABEL_MANAGED}=true`, `${LABEL_INSTALLATION}=${scope}`];
}

/** Labels for one resource. Ours come last so `extra` (caller-provided) cannot override them. */
export function resourceLabels(
  runId: string,
  extra: Record<string, string>,
  scope: { job?: string; service?: string } = {},
): Record<string, string> {
  const labels: Record<string, string> = { ...extra, [LABEL_MANAGED]: 'true', [LABEL_RUN]: runId };
  if (scope.job !== undefined) labels[LABEL_JOB] = scope.job;
  if (scope.service !== undefined) labels[LABEL_SERVICE] = scope.service;
  return labels;
}

/** The label filter that selects every resource of one run (of one installation). */
export function runFilter(runId: string, scope?: string): { label: string[] } {
  return { label: [...scopeFilter(scope), `${LABEL_RUN}=${runId}`] };
}

/**
 * A Docker container/network/volume name from parts: `slipway-<part>-<part>…`.
 * Docker allows `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; other characters become `-`, and when anything
 * was replaced a short hash of the original is appended so that `a b` and `a-b` stay distinct.
 */
export function resourceName(...parts: string[]): string {
  const raw = ['slipway', ...parts].join('-');
  const clean = raw.replace(/[^a-zA-Z0-9_.-]/g, '-');
  if (clean === raw) return clean;
  return `${clean}-${createHash('sha256').update(raw).digest('hex').slice(0, 8)}`;
}
