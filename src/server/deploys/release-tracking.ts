import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { JobResultMessage, RunFinishMessage } from '../../protocol/agent-protocol.js';
import type { RunState } from '../services.js';
import type { Database } from '../store/tables.js';
import { releaseBuiltImage } from './auto-release.js';
import type { ReleaseService } from './release-service.js';

export interface ReleaseTrackingDeps {
  db: Kysely<Database>;
  log: Pick<FastifyBaseLogger, 'warn'>;
  /** Lazy: the release service needs the run service, which is built after RunState. */
  releases: () => ReleaseService;
}

/**
 * RunState with releases kept in step: it is the one place every agent report passes, so a
 * deploy job's result updates its release, a release whose run ended some other way (agent lost,
 * canceled, refused) ends with it, and a built image of a matching branch starts auto releases.
 * The run's own state is written first; release bookkeeping never fails an agent's report.
 */
export class ReleaseTrackingRunState implements RunState {
  constructor(
    private readonly inner: RunState,
    private readonly deps: ReleaseTrackingDeps,
  ) {}

  async runStarted(runId: string): Promise<void> {
    await this.inner.runStarted(runId);
  }

  async jobUpdate(runId: string, job: JobResultMessage): Promise<void> {
    await this.inner.jobUpdate(runId, job);
    await this.guard(async () => {
      const releases = this.deps.releases();
      if (job.release) await releases.applyJobResult(runId, job);
      if (job.status === 'running' || job.status === 'succeeded' || job.status === 'failed') {
        await releases.syncWithRun(runId);
      }
      if (job.image && job.status === 'succeeded') {
        await releaseBuiltImage({ db: this.deps.db, releases, log: this.deps.log }, runId, job.image);
      }
    });
  }

  async runFinished(runId: string, result: RunFinishMessage): Promise<void> {
    await this.inner.runFinished(runId, result);
    await this.sync(runId);
  }

  async failUnfinished(runId: string, reason: 'agent_lost', message: string): Promise<void> {
    await this.inner.failUnfinished(runId, reason, message);
    await this.sync(runId);
  }

  async requeued(runId: string): Promise<void> {
    await this.inner.requeued(runId);
  }

  private sync(runId: string): Promise<void> {
    return this.guard(() => this.deps.releases().syncWithRun(runId));
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'release bookkeeping failed');
    }
  }
}
