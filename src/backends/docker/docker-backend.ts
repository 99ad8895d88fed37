/**
 * The Docker backend: each job is a container sharing the run's workspace volume; services get
 * a network per job. See ../backend.ts for the lifecycle this implements.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { BUILTIN_RESOURCE_LIMITS, type JobResources, resolveResources } from '../../domain/job-resources.js';
import type {
  Backend,
  BuildOutcome,
  BuildSpec,
  JobOutcome,
  JobOutput,
  JobSpec,
  RunSetup,
} from '../backend.js';
import { pruneWorkspacesAndCaches } from './cache-prune.js';
import { ensureCarrierImage } from './carrier-image.js';
import { destroyRunResources } from './cleanup.js';
import { buildImage } from './docker-build.js';
import { probeEngine } from './engine-probe.js';
import { describeError } from './errors.js';
import { ensureImage, type ImageStatus } from './images.js';
import { cacheEnd, type OverlayCheck, prepareJobCaches } from './job-caches.js';
import { runJobContainer } from './job-container.js';
import { LABEL_INSTALLATION, resourceLabels, resourceName } from './labels.js';
import { type RunState, untilAborted, workspaceReaderOf, writeIntoWorkspace } from './run-state.js';
import { ServiceGroup } from './services.js';
import { runWarmJob } from './warm-job.js';
import { type WarmOptions, WarmPools } from './warm-pools.js';
import {
  copySourceIntoVolume,
  createWorkspaceVolume,
  packFiles,
  volumeExists,
  workspaceLabels,
  workspaceVolumeName,
} from './workspace.js';

export interface DockerBackendOptions {
  docker: Dockerode;
  /** Upper bound for pulling one missing image; default 120 s. */
  pullTimeoutMs?: number;
  /** Upper bound for pushing one tag of a built image (a hanging registry); default 60 s. */
  pushTimeoutMs?: number;
  /** Force the builder: false = classic even when the engine has BuildKit; default: ask the engine. */
  buildkit?: boolean;
  /**
   * The installation this backend works for (the server's installation id, or a standalone
   * agent's own): set as `io.slipway.installation` on everything it creates, and the only
   * resources its cleanup and pruning touch. Unset: only unlabelled ones (`slipway exec`).
   */
  scope?: string;
  /** Warm containers for runs that name a pool (RunSetup.warmPool); see warm-pool.ts. */
  warm?: WarmOptions;
}

export { reapStale } from './cleanup.js';

export class DockerBackend implements Backend {
  readonly name = 'docker';
  private readonly docker: Dockerode;
  private readonly pullTimeoutMs: number;
  private readonly pushTimeoutMs: number;
  private readonly runs = new Map<string, RunState>();
  private readonly scope: string | undefined;
  /** Whether this engine mounts overlay volumes, asked with the first cache hit (job-caches.ts). */
  private readonly overlayCheck: OverlayCheck = { result: null };
  /** Whether the engine builds with BuildKit; asked once. */
  private buildkit: Promise<boolean> | null = null;
  private readonly warm: WarmPools;

  constructor(options: DockerBackendOptions) {
    this.docker = options.docker;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 120_000;
    this.pushTimeoutMs = options.pushTimeoutMs ?? 60_000;
    this.scope = options.scope;
    this.warm = new WarmPools(options.docker, options.scope, options.warm);
    if (options.buildkit !== undefined) this.buildkit = Promise.resolve(options.buildkit);
  }

  probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return probeEngine(this.docker);
  }

  async setupRun(run: RunSetup): Promise<void> {
    const workspaceId = run.workspaceId ?? run.runId;
    // Ours last: a caller's labels cannot move a resource into another installation's scope.
    const runLabels =
      this.scope === undefined ? run.labels : { ...run.labels, [LABEL_INSTALLATION]: this.scope };
    const state: RunState = {
      runId: run.runId,
      labels: runLabels,
      volume: workspaceVolumeName(workspaceId),
      workspaceProblem: null,
      images: new Map(),
      removals: new Map(),
      reader: null,
      workspacePath: run.workspacePath,
      warm: null,
    };
    // Registered first so that destroyRun finds the run even if setup fails half-way.
    this.runs.set(run.runId, state);
    // Pulls start now, alongside the volume, so that the first job does not pay for them.
    const images = [...new Set(run.images)];
    const statuses = Promise.all(images.map((image) => this.imageStatus(state, image)));
    const labels = resourceLabels(run.runId, runLabels);
    let reused = false;
    try {
      reused = run.reuseWorkspace === true && (await volumeExists(this.docker, state.volume));
      // A claimed warm set's data volume becomes the workspace (warm-pool.ts); a reused
      // workspace has its files elsewhere, so its jobs only count towards the next set.
      state.warm = await this.warm.forRun(run.warmPool, run.runId, run.workspacePath, !reused);
      if (!reused) {
        await createWorkspaceVolume(
          this.docker,
          state.volume,
          workspaceLabels(labels, workspaceId, Date.now()),
          state.warm?.claimed?.mountpoint,
        );
      }
    } catch (err) {
      throw new Error(describeError(`creating workspace volume ${state.volume}`, err));
    }
    // Ready before the first build job needs it (it only mounts the volume); a failure here is
    // retried by that job.
    if (run.builds === true) void workspaceReaderOf(this.docker, state).catch(() => {});
    const ready = await statuses;
    // A reused workspace already holds the source, plus whatever the earlier run made of it.
    const { source } = run;
    if (reused || source.kind === 'empty' || (source.kind === 'directory' && source.files.length === 0))
      return;

    // A run of build jobs only names no image; the empty carrier image serves instead.
    // So is a run whose images are all made by its own build jobs (none exists yet).
    const carrierImage =
      images.find((_, i) => ready[i]?.ok) ?? (await ensureCarrierImage(this.docker).catch(() => undefined));
    if (carrierImage === undefined) {
      // Not an error of setupRun: each job reports its own missing image.
      state.workspaceProblem = `the source was not copied into the workspace: none of the run's images is available (${images.join(', ') || 'none listed'})`;
      return;
    }
    try {
      await copySourceIntoVolume(this.docker, {
        volume: state.volume,
        image: carrierImage,
        workspacePath: run.workspacePath,
        tar:
          source.kind === 'directory'
            ? async () => packFiles(source.path, source.files)
            : () => source.open(),
        labels,
      });
    } catch (err) {
      throw new Error(describeError('copying the source into the workspace', err));
    }
  }

  async runJob(job: JobSpec, output: JobOutput, signal: AbortSignal): Promise<JobOutcome> {
    const state = this.runs.get(job.runId);
    if (!state) {
      return { kind: 'backend_error', message: `run ${job.runId} is not set up on this backend` };
    }
    if (signal.aborted) return { kind: 'aborted' };

    const images = [job.image, ...job.services.map((s) => s.image)];
    const statuses = await untilAborted(
      Promise.all(images.map((image) => this.imageStatus(state, image, output))),
      signal,
    );
    if (statuses === null) return { kind: 'aborted' };
    for (const status of statuses) if (!status.ok) return status.outcome;
    if (state.workspaceProblem) return { kind: 'backend_error', message: state.workspaceProblem };

    // Whoever calls without limits (an older runtime, a test) still gets the built-in ones.
    const resources = job.resources ?? resolveResources(undefined, BUILTIN_RESOURCE_LIMITS).resources;
    if (job.services.length === 0) return this.runContainer(state, job, resources, null, output, signal);
    const services = new ServiceGroup(this.docker, {
      runId: job.runId,
      job: job.name,
      services: job.services,
      resources,
      labels: (service) => resourceLabels(job.runId, state.labels, { job: job.name, service }),
    });
    try {
      const problem = await services.start(output);
      if (problem) return { kind: 'backend_error', message: problem };
      if (signal.aborted) return { kind: 'aborted' };
      return await this.runContainer(state, job, resources, services.network, output, signal);
    } finally {
      await services.remove(output);
    }
  }

  async buildImage(spec: BuildSpec, output: JobOutput, signal: AbortSignal): Promise<BuildOutcome> {
    const state = this.runs.get(spec.runId);
    if (!state) return { kind: 'backend_error', message: `run ${spec.runId} is not set up on this backend` };
    if (state.workspaceProblem) return { kind: 'backend_error', message: state.workspaceProblem };
    try {
      return await buildImage(
        {
          docker: this.docker,
          reader: await workspaceReaderOf(this.docker, state),
          buildkit: await this.hasBuildKit(),
          pushTimeoutMs: this.pushTimeoutMs,
        },
        spec,
        output,
        signal,
      );
    } catch (err) {
      if (signal.aborted) return { kind: 'aborted' };
      return { kind: 'backend_error', message: describeError('building the image', err) };
    }
  }

  async readWorkspace(runId: string, dir: string): Promise<Readable | null> {
    return (await workspaceReaderOf(this.docker, this.state(runId))).directoryTar(dir);
  }

  /** Through a never-started carrier container, like the source goes in (workspace.ts). */
  writeWorkspace(runId: string, tar: Readable): Promise<void> {
    return writeIntoWorkspace(this.docker, this.state(runId), tar);
  }

  private state(runId: string): RunState {
    const state = this.runs.get(runId);
    if (!state) throw new Error(`run ${runId} is not set up on this backend`);
    return state;
  }

  /** BuildKit is in the engine since API 1.39 on Linux (the `version=2` builder). */
  private hasBuildKit(): Promise<boolean> {
    this.buildkit ??= this.docker
      .version()
      .then((v) => {
        const [major, minor] = String(v.ApiVersion).split('.').map(Number);
        return v.Os === 'linux' && ((major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 39));
      })
      .catch(() => {
        this.buildkit = null;
        return false;
      });
    return this.buildkit;
  }

  async destroyRun(runId: string, opts: { keepWorkspace?: boolean } = {}): Promise<void> {
    const state = this.runs.get(runId);
    this.runs.delete(runId);
    if (state) {
      for (const unused of this.warm.finish(state.warm)) this.removeInBackground(state, unused.id, unused);
      await Promise.all(state.removals.values());
    }
    // The reader is a container of the run: the sweep below would find it, this is just sooner.
    if (state?.reader) await (await state.reader.catch(() => null))?.close();
    await destroyRunResources(this.docker, runId, {
      keepWorkspace: opts.keepWorkspace === true,
      ...(this.scope !== undefined ? { scope: this.scope } : {}),
    });
    // A removed workspace may leave a warm data volume behind: deleting its files (a
    // node_modules takes ~0.6 s) happens there, in the background.
    if (opts.keepWorkspace !== true) this.warm.collect();
  }

  async pruneWorkspaces(createdBefore: number, inUse: ReadonlySet<string>): Promise<string[]> {
    const removed = await pruneWorkspacesAndCaches(this.docker, this.scope, createdBefore, inUse);
    if (removed.length > 0) this.warm.collect();
    return removed;
  }

  /** Background work on warm containers has finished (see WarmPools.settled). */
  warmSettled(): Promise<void> {
    return this.warm.settled();
  }

  /** Removes the idle warm containers of this backend's pools: call on shutdown. */
  close(): Promise<void> {
    return this.warm.close();
  }

  /** The installation this backend cleans up for (see DockerBackendOptions.scope). */
  get installation(): string | undefined {
    return this.scope;
  }

  private async runContainer(
    state: RunState,
    job: JobSpec,
    resources: JobResources,
    network: string | null,
    output: JobOutput,
    signal: AbortSignal,
  ): Promise<JobOutcome> {
    const name = resourceName(job.runId, job.name);
    // A warm container was started before the job's caches were known, so it has none of their
    // mounts: a job with `cache:` always gets a container of its own (else its cache is silently
    // neither restored nor saved — what the dogfood pipeline's second run showed).
    const warm = network === null && !job.caches?.length ? this.warm.take(state.warm, job, resources) : null;
    if (warm) {
      const outcome = await runWarmJob(
        warm,
        { script: job.script, env: job.env, graceMs: job.graceMs },
        output,
        signal,
      );
      this.removeInBackground(state, warm.id, warm);
      return outcome;
    }
    // A retried job reuses the name; its predecessor may still be on its way out.
    await state.removals.get(name);
    const caches = job.caches?.length
      ? await prepareJobCaches(
          {
            docker: this.docker,
            scope: this.scope,
            runId: job.runId,
            job: job.name,
            labels: resourceLabels(job.runId, state.labels, { job: job.name }),
            readFile: async (path) => (await workspaceReaderOf(this.docker, state)).readSmallFile(path),
            overlayCheck: this.overlayCheck,
          },
          job.caches,
          output,
        )
      : null;
    const { outcome, container } = await runJobContainer(
      this.docker,
      {
        name,
        image: job.image,
        script: job.script,
        env: job.env,
        workspacePath: job.workspacePath,
        volume: state.volume,
        network,
        labels: resourceLabels(job.runId, state.labels, { job: job.name }),
        graceMs: job.graceMs,
        resources,
        ...(caches ? { mounts: caches.mounts } : {}),
      },
      output,
      signal,
    );
    if (caches) {
      // A cache is saved from volumes the container no longer holds: removal first.
      await container?.remove({ force: true }).catch(() => {});
      await caches.finish(cacheEnd(outcome));
    } else if (container) this.removeInBackground(state, name, container);
    return outcome;
  }

  /**
   * Removing takes ~50 ms the next job need not wait for. destroyRun awaits it; a failure is
   * left to destroyRun's sweep by label, which also reports it.
   */
  private removeInBackground(state: RunState, name: string, container: Dockerode.Container): void {
    const removal: Promise<void> = container
      .remove({ force: true })
      // Nobody is left to tell; destroyRun's sweep retries and reports what remains.
      .catch(() => {})
      .finally(() => {
        if (state.removals.get(name) === removal) state.removals.delete(name);
      });
    state.removals.set(name, removal);
  }

  /**
   * The run's shared check of one image. An engine error is not remembered, so the next job
   * asks again; a present or unpullable image is settled for the rest of the run.
   */
  private imageStatus(state: RunState, image: string, output?: JobOutput): Promise<ImageStatus> {
    const known = state.images.get(image);
    if (known) return known;
    const check = ensureImage(this.docker, image, {
      pullTimeoutMs: this.pullTimeoutMs,
      pullLog: output,
    })
      .catch(
        (err: unknown): ImageStatus => ({
          ok: false,
          outcome: { kind: 'backend_error', message: describeError(`checking image ${image}`, err) },
        }),
      )
      .then((status) => {
        // Only presence is remembered: an image missing now may be built by an earlier job of
        // this run (`image: …/builder:${CI_COMMIT_SHORT_SHA}`), so each job checks again.
        if (!status.ok) state.images.delete(image);
        return status;
      });
    state.images.set(image, check);
    return check;
  }
}
