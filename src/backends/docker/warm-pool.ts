/**
 * Warm containers (issue #11): job containers created and started before the run that uses
 * them, so that a job costs an attach and a write instead of a create and a start (~45 ms
 * instead of ~270 ms on the reference machine).
 *
 * Mounts are fixed at create time, so a warm container cannot be given a run's workspace
 * afterwards. Instead a pool prepares a *set*: a data volume plus containers that all mount it
 * at the workspace path. A run claims a whole set at setup and makes that data volume its
 * workspace: the run's workspace volume (same name, labels and lifecycle as always) is created
 * as a bind of the data volume's directory, so fresh containers, the build reader and
 * everything else that mounts the workspace see the same files, while the warm containers see
 * them at the same real path. Nothing of one run is ever visible to another.
 *
 * Isolation: a pool belongs to one key (the agent's: project and trust; exec's: the checkout),
 * within one installation; sets are never shared across keys. Warm containers get exactly a
 * fresh job container's options (job-container.ts → hardening.ts); only jobs whose image,
 * resources and workspace path match, without services, and whose environment a shell can
 * export use one — every other job gets a fresh container as before.
 *
 * Claiming is a rename of one of the set's containers: atomic in the engine, so two processes
 * sharing an engine (two `slipway exec` of one checkout) never take the same set. Claimed
 * containers are renamed after the run, which is how a crashed run's ones are found again
 * (cleanup.ts). A set is prepared after a run ends, off its critical path, sized by what that
 * run used; idle containers end themselves after `idleSeconds` (warm-boot.ts), and `collect`
 * removes them and data volumes nothing refers to any more (a removed workspace's data, a set
 * whose containers expired), so removing a workspace's files is never on a run's path either.
 */
import { createHash, randomUUID } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { JobResources } from '../../domain/job-resources.js';
import { isNotFound, statusOf } from './errors.js';
import { containerOptions } from './job-container.js';
import { inScope, LABEL_INSTALLATION, LABEL_MANAGED, resourceName, scopeFilter } from './labels.js';
import { bootScript } from './warm-boot.js';

export const LABEL_WARM_POOL = 'io.slipway.warm-pool';
const LABEL_WARM_SET = 'io.slipway.warm-set';
const LABEL_WARM_SPEC = 'io.slipway.warm-spec';
const LABEL_WARM_PATH = 'io.slipway.warm-path';
const LABEL_WARM_CREATED = 'io.slipway.warm-created';
/** A container this close to ending itself is not handed out (it might end mid-claim). */
const EXPIRY_MARGIN_MS = 60_000;
/** A data volume this young may be a set being prepared or claimed: not collected yet. */
const COLLECT_GRACE_MS = 120_000;

/** What a warm container is fixed to at creation. */
export interface WarmSpec {
  image: string;
  resources: JobResources;
  workspacePath: string;
}

export function specId(spec: WarmSpec): string {
  return createHash('sha256')
    .update(JSON.stringify([spec.image, spec.resources, spec.workspacePath]))
    .digest('hex')
    .slice(0, 16);
}

export interface WarmPoolOptions {
  docker: Dockerode;
  /** The installation (labels; only its own resources are touched), as in DockerBackendOptions. */
  scope: string | undefined;
  /** Who may share the pool (see the file comment). */
  key: string;
  /** At most this many containers in one set. */
  maxContainers: number;
  idleSeconds: number;
}

/** A set claimed by one run: its data directory and its containers by spec, until taken. */
export class ClaimedSet {
  constructor(
    /** The data volume's directory on the engine's host: what the workspace volume binds. */
    readonly mountpoint: string,
    private readonly idle: Map<string, Dockerode.Container[]>,
  ) {}

  /** A container for a job of `spec`, or null; each is handed out once. */
  take(spec: string): Dockerode.Container | null {
    return this.idle.get(spec)?.shift() ?? null;
  }

  /** The containers no job took (the run removes them). */
  leftovers(): Dockerode.Container[] {
    const rest = [...this.idle.values()].flat();
    this.idle.clear();
    return rest;
  }
}

export class WarmPool {
  readonly id: string;
  /** Preparing and collecting, one at a time (they compete with runs for the engine). */
  private work: Promise<void> = Promise.resolve();
  /** Specs whose image cannot wait for a job (no `head`/`sleep`): never warmed again here. */
  private readonly unwarmable = new Set<string>();

  constructor(private readonly opts: WarmPoolOptions) {
    this.id = createHash('sha256')
      .update(`${opts.scope ?? ''}\0${opts.key}`)
      .digest('hex')
      .slice(0, 12);
  }

  /**
   * Takes an idle set prepared for `workspacePath`, renaming its containers to the run's
   * (`claimedName`); null when there is none (the run then uses fresh containers).
   */
  async claim(runId: string, workspacePath: string): Promise<ClaimedSet | null> {
    const { docker } = this.opts;
    const listed = await docker.listContainers({
      filters: {
        label: [...scopeFilter(this.opts.scope), `${LABEL_WARM_POOL}=${this.id}`],
        status: ['running'],
      },
    });
    const usable = Date.now() - this.opts.idleSeconds * 1000 + EXPIRY_MARGIN_MS;
    const sets = new Map<string, Dockerode.ContainerInfo[]>();
    for (const c of listed) {
      const labels = c.Labels ?? {};
      if (!inScope(labels, this.opts.scope) || labels[LABEL_WARM_PATH] !== workspacePath) continue;
      if (!(c.Names[0] ?? '').startsWith(`/${idlePrefix(this.id)}`)) continue;
      if (Number(labels[LABEL_WARM_CREATED]) < usable) continue;
      const set = labels[LABEL_WARM_SET] ?? '';
      sets.set(set, [...(sets.get(set) ?? []), c]);
    }
    let n = 0;
    for (const [set, members] of [...sets].sort((a, b) => b[1].length - a[1].length)) {
      const [lead, ...rest] = members;
      if (!lead || !(await rename(docker, lead.Id, claimedName(runId, n)))) continue;
      n++;
      const idle = new Map<string, Dockerode.Container[]>();
      const add = (c: Dockerode.ContainerInfo) => {
        const spec = c.Labels[LABEL_WARM_SPEC] ?? '';
        idle.set(spec, [...(idle.get(spec) ?? []), docker.getContainer(c.Id)]);
      };
      add(lead);
      const renamed = await Promise.all(rest.map((c, i) => rename(docker, c.Id, claimedName(runId, n + i))));
      for (const [i, c] of rest.entries()) if (renamed[i]) add(c);
      try {
        const volume = await docker.getVolume(dataVolumeName(this.id, set)).inspect();
        return new ClaimedSet(volume.Mountpoint, idle);
      } catch {
        // The data volume is gone (removed by hand?): the containers are useless to the run.
        await Promise.all([...idle.values()].flat().map((c) => c.remove({ force: true }).catch(() => {})));
        return null;
      }
    }
    return null;
  }

  /**
   * Prepares one idle set in the background for a run that will look like the one that just
   * ended (`demand`: how many jobs of each spec it ran). Skipped when an idle set for the
   * workspace path is already there. Errors only mean there will be no warm set.
   */
  prepare(demand: ReadonlyMap<string, { spec: WarmSpec; count: number }>): Promise<void> {
    const wanted = [...demand].filter(([id, d]) => d.count > 0 && !this.unwarmable.has(id));
    if (wanted.length === 0) return this.work;
    this.work = this.work.then(() => this.prepareSet(wanted)).catch(() => {});
    return this.work;
  }

  /** Removes expired or dead idle containers and data volumes nothing refers to (background). */
  collect(): Promise<void> {
    this.work = this.work.then(() => collectWarm(this.opts.docker, this.opts.scope)).catch(() => {});
    return this.work;
  }

  /** Everything started so far has finished. */
  settled(): Promise<void> {
    return this.work;
  }

  /** Removes this pool's idle sets now (a server shutting down); claimed ones are their runs'. */
  async close(): Promise<void> {
    await this.work;
    const { docker } = this.opts;
    const listed = await docker.listContainers({
      all: true,
      filters: { label: [...scopeFilter(this.opts.scope), `${LABEL_WARM_POOL}=${this.id}`] },
    });
    await Promise.all(
      listed
        .filter(
          (c) =>
            inScope(c.Labels, this.opts.scope) && (c.Names[0] ?? '').startsWith(`/${idlePrefix(this.id)}`),
        )
        .map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => {}),
        ),
    );
    await collectWarm(docker, this.opts.scope, 0).catch(() => {});
  }

  private async prepareSet(wanted: [string, { spec: WarmSpec; count: number }][]): Promise<void> {
    const { docker } = this.opts;
    const workspacePath = wanted[0]?.[1].spec.workspacePath ?? '';
    const idle = await docker.listContainers({
      filters: {
        label: [...scopeFilter(this.opts.scope), `${LABEL_WARM_POOL}=${this.id}`],
        status: ['running'],
      },
    });
    const waiting = idle.filter(
      (c) =>
        inScope(c.Labels, this.opts.scope) &&
        c.Labels[LABEL_WARM_PATH] === workspacePath &&
        (c.Names[0] ?? '').startsWith(`/${idlePrefix(this.id)}`),
    );
    if (waiting.length > 0) return;
    const set = randomUUID().slice(0, 8);
    const created = String(Date.now());
    const labels: Record<string, string> = {
      [LABEL_MANAGED]: 'true',
      ...(this.opts.scope !== undefined ? { [LABEL_INSTALLATION]: this.opts.scope } : {}),
      [LABEL_WARM_POOL]: this.id,
      [LABEL_WARM_SET]: set,
      [LABEL_WARM_PATH]: workspacePath,
      [LABEL_WARM_CREATED]: created,
    };
    const volume = dataVolumeName(this.id, set);
    await docker.createVolume({ Name: volume, Labels: labels });
    let n = 0;
    for (const [id, { spec, count }] of wanted) {
      for (let i = 0; i < count && n < this.opts.maxContainers; i++, n++) {
        const options = containerOptions({
          name: `${volume}-${n}`,
          image: spec.image,
          script: bootScript(this.opts.idleSeconds),
          env: {},
          workspacePath: spec.workspacePath,
          volume,
          network: null,
          labels: { ...labels, [LABEL_WARM_SPEC]: id },
          graceMs: 0,
          resources: spec.resources,
        });
        const container = await docker.createContainer({ ...options, OpenStdin: true, AttachStdin: true });
        await container.start();
        // The first of each spec: an image that cannot wait for a job has exited by now or soon.
        if (i === 0 && !(await stillRunning(container))) {
          this.unwarmable.add(id);
          await container.remove({ force: true }).catch(() => {});
          break;
        }
      }
    }
  }
}

/** Idle containers are `slipway-warm-<pool>-<set>-<n>`; claimed ones carry the run id. */
const IDLE_NAME = /^\/slipway-warm-[0-9a-f]{12}-[0-9a-f]{8}-\d+$/;
function idlePrefix(pool: string): string {
  return `${resourceName('warm', pool)}-`;
}

function dataVolumeName(pool: string, set: string): string {
  return resourceName('warm', pool, set);
}

/**
 * A claimed warm container's name: the run's prefix (cleanup.ts finds it by that), and `_`, which
 * no job name starts with, so it never clashes with a fresh job container's name.
 */
export function claimedName(runId: string, n: number): string {
  return `${resourceName(runId)}-_warm-${n}`;
}

async function rename(docker: Dockerode, id: string, name: string): Promise<boolean> {
  try {
    await docker.getContainer(id).rename({ name });
    return true;
  } catch (err) {
    // 404: gone; 409: the name is taken or another process renamed it first.
    if (isNotFound(err) || statusOf(err) === 409) return false;
    throw err;
  }
}

async function stillRunning(container: Dockerode.Container): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const info = await container.inspect();
  return info.State.Running;
}

/**
 * Of installation `scope`: removes idle warm containers that are no longer running, and warm
 * data volumes that no volume binds any more (the workspace that used it was removed, or its
 * set expired), once older than `graceMs`. A volume still mounted somewhere refuses (409) and
 * stays for the next pass.
 */
export async function collectWarm(
  docker: Dockerode,
  scope: string | undefined,
  graceMs = COLLECT_GRACE_MS,
): Promise<void> {
  const filters = { label: [...scopeFilter(scope), LABEL_WARM_POOL] };
  const containers = await docker.listContainers({ all: true, filters });
  // Exited: expired, or an image that cannot wait. Created but never started: a preparation
  // that died half-way — only once old, since a live one starts its containers right after.
  const dead = (c: Dockerode.ContainerInfo) =>
    c.State === 'exited' ||
    c.State === 'dead' ||
    (c.State === 'created' && c.Created * 1000 < Date.now() - graceMs);
  await Promise.all(
    containers
      .filter((c) => inScope(c.Labels, scope) && dead(c) && IDLE_NAME.test(c.Names[0] ?? ''))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
  );
  const { Volumes: all } = await docker.listVolumes({ filters: { label: [`${LABEL_MANAGED}=true`] } });
  const bound = new Set(
    (all ?? []).map((v) => (v.Options as Record<string, string> | null)?.device).filter(Boolean),
  );
  const old = Date.now() - graceMs;
  await Promise.all(
    (all ?? [])
      .filter((v) => v.Labels?.[LABEL_WARM_POOL] !== undefined && inScope(v.Labels ?? undefined, scope))
      .filter((v) => Number(v.Labels?.[LABEL_WARM_CREATED]) <= old && !bound.has(v.Mountpoint))
      .map((v) =>
        docker
          .getVolume(v.Name)
          .remove()
          .catch(() => {}),
      ),
  );
}
