/**
 * Removal by label: whatever a run created — including what a crashed process left behind — is
 * found through `io.slipway.run`, so cleanup needs no memory of what was created.
 */
import type Dockerode from 'dockerode';
import { describeError, isNotFound, statusOf } from './errors.js';
import {
  inScope,
  LABEL_RUN,
  LABEL_WORKSPACE,
  LABEL_WORKSPACE_CREATED,
  resourceName,
  runFilter,
  scopeFilter,
} from './labels.js';
import { claimedName, LABEL_WARM_POOL } from './warm-pool.js';

export interface CleanupOptions {
  /** Leave the run's volumes (its workspace) for a later run to reuse; pruned by age instead. */
  keepWorkspace?: boolean;
  /**
   * The installation whose resources these are (`io.slipway.installation`): anything another
   * installation created on the same engine is never touched. Unset: only unclaimed resources.
   */
  scope?: string;
}

/**
 * Force-removes every container, then network, then volume of the run (in that order: the
 * others cannot go while a container uses them). Idempotent. Tries everything and throws once
 * at the end, listing what could not be removed.
 */
export async function destroyRunResources(
  docker: Dockerode,
  runId: string,
  options: CleanupOptions = {},
): Promise<void> {
  const filters = runFilter(runId, options.scope);
  const mine = <T extends { Labels?: Record<string, string> | null }>(list: T[] | null | undefined): T[] =>
    (list ?? []).filter((r) => inScope(r.Labels ?? undefined, options.scope));
  const problems: string[] = [];
  const attempt = async (what: string, remove: () => Promise<unknown>): Promise<void> => {
    try {
      await remove();
    } catch (err) {
      if (!isNotFound(err)) problems.push(describeError(`removing ${what}`, err));
    }
  };

  const containers = await listing(`listing containers of run ${runId}`, async () => [
    ...(await docker.listContainers({ all: true, filters })),
    ...(await claimedWarmContainers(docker, runId, options.scope)),
  ]);
  await Promise.all(
    mine(containers).map((c) =>
      attempt(`container ${c.Names[0] ?? c.Id}`, () => removeContainer(docker, c.Id)),
    ),
  );
  const networks = await listing(`listing networks of run ${runId}`, () => docker.listNetworks({ filters }));
  await Promise.all(
    mine(networks).map((n) => attempt(`network ${n.Name}`, () => docker.getNetwork(n.Id).remove())),
  );
  const { Volumes: volumes } = options.keepWorkspace
    ? { Volumes: [] as Dockerode.VolumeInspectInfo[] }
    : await listing(`listing volumes of run ${runId}`, () => docker.listVolumes({ filters }));
  await Promise.all(
    mine(volumes).map((v) =>
      attempt(`volume ${v.Name}`, () => docker.getVolume(v.Name).remove({ force: true })),
    ),
  );
  if (problems.length > 0) throw new Error(`cleaning up run ${runId}: ${problems.join('; ')}`);
}

/**
 * Warm containers the run claimed (warm-pool.ts): created before the run, they carry a pool's
 * labels, not the run's, and are found by the name the claim gave them.
 */
async function claimedWarmContainers(
  docker: Dockerode,
  runId: string,
  scope: string | undefined,
): Promise<Dockerode.ContainerInfo[]> {
  const prefix = `/${claimedName(runId, 0).replace(/0$/, '')}`;
  const warm = await docker.listContainers({
    all: true,
    filters: { label: [...scopeFilter(scope), LABEL_WARM_POOL], name: [resourceName(runId)] },
  });
  return warm.filter((c) => c.Names.some((n) => n.startsWith(prefix)));
}

/** Listing failures (engine down…) as a readable error instead of dockerode's. */
async function listing<T>(what: string, list: () => Promise<T>): Promise<T> {
  try {
    return await list();
  } catch (err) {
    throw new Error(describeError(what, err));
  }
}

async function removeContainer(docker: Dockerode, id: string): Promise<void> {
  const container = docker.getContainer(id);
  try {
    await container.remove({ force: true, v: true });
  } catch (err) {
    // 409: someone else's removal is under way; wait for it so the volume is free after us.
    if (statusOf(err) !== 409) throw err;
    await container.wait({ condition: 'removed' });
  }
}

/**
 * Destroys the runs whose owner is gone, as judged by `isAlive` from a resource's labels
 * (typically `io.slipway.owner=<hostname>:<pid>`). Returns the run ids it removed.
 * Meant for startup, before this process creates runs of its own. With `keepWorkspace` the
 * workspaces of those runs stay (an agent keeps them for "resume from failed").
 */
export async function reapStale(
  docker: Dockerode,
  isAlive: (labels: Record<string, string>) => boolean,
  options: CleanupOptions = {},
): Promise<string[]> {
  const filters = { label: scopeFilter(options.scope) };
  const [containers, networks, volumes] = await listing('listing Slipway resources', () =>
    Promise.all([
      docker.listContainers({ all: true, filters }),
      docker.listNetworks({ filters }),
      docker.listVolumes({ filters }),
    ]),
  );
  const labelsByRun = new Map<string, Record<string, string>>();
  const labelSets = [
    ...containers.map((c) => c.Labels),
    ...networks.map((n) => n.Labels ?? {}),
    // Kept workspaces alone do not make a run stale: they wait for pruning by age.
    ...(options.keepWorkspace ? [] : (volumes.Volumes ?? []).map((v) => v.Labels ?? {})),
  ];
  for (const labels of labelSets) {
    // Another installation's runs are its own to judge, even when their owner looks gone here.
    if (!inScope(labels, options.scope)) continue;
    const runId = labels[LABEL_RUN];
    if (runId && !labelsByRun.has(runId)) labelsByRun.set(runId, labels);
  }
  const stale = [...labelsByRun].filter(([, labels]) => !isAlive(labels)).map(([runId]) => runId);
  // One run that cannot be removed must not keep the others around.
  const results = await Promise.allSettled(stale.map((runId) => destroyRunResources(docker, runId, options)));
  const failures = results.flatMap((r) =>
    r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : [],
  );
  if (failures.length > 0) throw new Error(failures.join('; '));
  return stale;
}

/**
 * Removes workspace volumes of installation `scope` created before `createdBefore`, except those
 * named in `inUse`. A volume still mounted by a container (409) is left for the next pass.
 * Returns the workspace ids removed.
 */
export async function pruneWorkspaceVolumes(
  docker: Dockerode,
  createdBefore: number,
  inUse: ReadonlySet<string>,
  scope?: string,
): Promise<string[]> {
  const { Volumes: volumes } = await listing('listing workspace volumes', () =>
    docker.listVolumes({ filters: { label: [...scopeFilter(scope), LABEL_WORKSPACE_CREATED] } }),
  );
  const old = (volumes ?? []).filter((v) => {
    const labels = v.Labels ?? {};
    if (!inScope(labels, scope)) return false;
    const created = Number(labels[LABEL_WORKSPACE_CREATED]);
    const id = labels[LABEL_WORKSPACE] ?? '';
    return Number.isFinite(created) && created < createdBefore && !inUse.has(id);
  });
  const removed: string[] = [];
  await Promise.all(
    old.map(async (v) => {
      try {
        await docker.getVolume(v.Name).remove();
        removed.push(v.Labels?.[LABEL_WORKSPACE] ?? v.Name);
      } catch (err) {
        if (isNotFound(err)) return;
        if (statusOf(err) !== 409) throw new Error(describeError(`removing volume ${v.Name}`, err));
      }
    }),
  );
  return removed.sort();
}
