/**
 * The Docker backend's side of warm containers (warm-pool.ts): one pool per key, what each run
 * claimed, and which of its jobs may use a warm container. Kept apart from docker-backend.ts so
 * that the backend only asks "a warm container for this job?" and "the run is over".
 */
import type Dockerode from 'dockerode';
import type { JobResources } from '../../domain/job-resources.js';
import { exportableEnv } from './warm-boot.js';
import { type ClaimedSet, collectWarm, specId, WarmPool, type WarmSpec } from './warm-pool.js';

export interface WarmOptions {
  /** Containers of one prepared set at most; 0 turns warm containers off. Default 10. */
  maxContainers?: number;
  /** An idle warm container ends itself after this long. Default 900 s. */
  idleSeconds?: number;
}

export const DEFAULT_WARM_CONTAINERS = 10;
export const DEFAULT_WARM_IDLE_SECONDS = 900;

/** One run's share: the set it claimed (if any) and what its jobs asked for. */
export interface RunWarmth {
  pool: WarmPool;
  claimed: ClaimedSet | null;
  demand: Map<string, { spec: WarmSpec; count: number }>;
}

export class WarmPools {
  private readonly pools = new Map<string, WarmPool>();
  private readonly maxContainers: number;
  private readonly idleSeconds: number;

  constructor(
    private readonly docker: Dockerode,
    private readonly scope: string | undefined,
    options: WarmOptions = {},
  ) {
    this.maxContainers = Math.max(0, Math.floor(options.maxContainers ?? DEFAULT_WARM_CONTAINERS));
    this.idleSeconds = options.idleSeconds ?? DEFAULT_WARM_IDLE_SECONDS;
  }

  /**
   * The run's warmth: a set claimed from pool `key` when one is ready and `claim` (the run does
   * not continue in an existing workspace); null without a key or with warm containers off.
   * A failed claim only means fresh containers.
   */
  async forRun(
    key: string | undefined,
    runId: string,
    workspacePath: string,
    claim: boolean,
  ): Promise<RunWarmth | null> {
    if (key === undefined || this.maxContainers === 0) return null;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new WarmPool({
        docker: this.docker,
        scope: this.scope,
        key,
        maxContainers: this.maxContainers,
        idleSeconds: this.idleSeconds,
      });
      this.pools.set(key, pool);
      // Whatever an earlier process left (expired sets, data of removed workspaces).
      void pool.collect();
    }
    const claimed = claim ? await pool.claim(runId, workspacePath).catch(() => null) : null;
    return { pool, claimed, demand: new Map() };
  }

  /**
   * A warm container for a job without services, or null (then a fresh one). Either way the
   * job counts towards the set prepared for the next run.
   */
  take(
    warmth: RunWarmth | null,
    job: { image: string; env: Record<string, string>; workspacePath: string },
    resources: JobResources,
  ): Dockerode.Container | null {
    if (!warmth) return null;
    const spec: WarmSpec = { image: job.image, resources, workspacePath: job.workspacePath };
    const id = specId(spec);
    const seen = warmth.demand.get(id);
    if (seen) seen.count++;
    else warmth.demand.set(id, { spec, count: 1 });
    if (!exportableEnv(job.env)) return null;
    return warmth.claimed?.take(id) ?? null;
  }

  /** The run is over: the containers it did not use (to remove), and the next set is prepared. */
  finish(warmth: RunWarmth | null): Dockerode.Container[] {
    if (!warmth) return [];
    const unused = warmth.claimed?.leftovers() ?? [];
    void warmth.pool.prepare(warmth.demand);
    return unused;
  }

  /** Collects data volumes and dead idle containers of this installation in the background. */
  collect(): void {
    const [first] = this.pools.values();
    if (first) void first.collect();
    else if (this.maxContainers > 0) void collectWarm(this.docker, this.scope).catch(() => {});
  }

  /** Every preparation and collection started so far has finished (benchmarks, tests, exit). */
  async settled(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.settled()));
  }

  /** Removes every idle set of these pools (shutdown of a server or agent). */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => {})));
  }
}
