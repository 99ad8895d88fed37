import type { Readable } from 'node:stream';
import type {
  JobResultMessage,
  LeaseMessage,
  LogBatchMessage,
  RunFinishMessage,
} from '../../protocol/agent-protocol.js';
import type { ServerContext } from '../context.js';
import { notFound } from '../errors.js';
import { parseSelection } from '../runs/selection.js';
import type { QueueService } from '../services.js';
import type { QueueRow } from '../store/tables.js';
import { AgentPolls } from './agent-polls.js';
import { markSeen } from './agent-registry.js';
import { expireLeases } from './lease-expiry.js';
import type { LeaseLossDeps } from './lease-loss.js';
import { buildLeaseMessage, UnrunnableExecution } from './lease-message.js';
import { AgentGoneError, claimNext, unclaim } from './lease-picker.js';
import { leaseSource } from './lease-source.js';
import { agentExists, agentRevoked, revokeAgent } from './revoke-agent.js';

export type QueueServiceDeps = Omit<ServerContext, 'queue' | 'artifacts' | 'caches'>;

export interface QueueServiceOptions {
  /**
   * How often a waiting lease call looks for work again: enqueueing happens in RunService's
   * transactions, which this service does not see. An idle look is one indexed read.
   */
  pollMs?: number;
}

/** What an agent call learns from touching its lease. */
interface TouchedLease {
  run_id: string;
  project_id: string;
  selection: string;
  cancel_requested: number;
  /** Which attempt of the execution this lease is (2+ after a lost agent's run was re-queued). */
  attempt?: number;
}

/**
 * The server half of the agent protocol on the database. Every call on a lease first "touches"
 * it: one UPDATE that checks the lease exists, is still leased and belongs to the calling agent
 * (not_found otherwise — no hint whether it exists for someone else), records the heartbeat and
 * reads the cancel flag. See lease-picker.ts for the order of leasing, lease-loss.ts for what
 * happens to a lost agent's run.
 */
export class DbQueueService implements QueueService {
  private readonly pollMs: number;
  /** This process's open long polls, ended when their agent is revoked. */
  private readonly polls = new AgentPolls();

  constructor(
    readonly deps: QueueServiceDeps,
    options: QueueServiceOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 50;
  }

  async lease(agentId: string, waitMs: number, signal?: AbortSignal): Promise<LeaseMessage | null> {
    await markSeen(this.deps.db, agentId, this.deps.now());
    // Wall time, not deps.now: a test may freeze the server clock, never the waiting.
    const deadline = Date.now() + Math.max(0, waitMs);
    const poll = this.polls.start(agentId);
    // Stops on either: the client went away (answer nothing), or the agent was revoked (401).
    const stop = signal ? AbortSignal.any([signal, poll.signal]) : poll.signal;
    try {
      for (;;) {
        const lease = await this.tryLease(agentId, stop);
        // Revoked while the lease was being prepared: the message (with its secrets) is not sent.
        if (poll.signal.aborted) throw agentRevoked();
        if (lease) return lease;
        const left = deadline - Date.now();
        if (left <= 0 || stop.aborted) return null;
        await sleep(Math.min(this.pollMs, left), stop);
      }
    } catch (error) {
      if (error instanceof AgentGoneError) throw agentRevoked();
      throw error;
    } finally {
      poll.close();
    }
  }

  /** Revokes an agent: token and leases as revokeAgent does, and its open polls answer 401 now. */
  async revokeAgent(agentId: string): Promise<void> {
    await revokeAgent(this.lossDeps(), agentId);
    this.polls.endAll(agentId);
  }

  async heartbeat(agentId: string, leaseId: string): Promise<{ cancel: boolean }> {
    const lease = await this.touch(agentId, leaseId);
    await markSeen(this.deps.db, agentId, this.deps.now());
    return { cancel: lease.cancel_requested === 1 };
  }

  async jobUpdate(agentId: string, leaseId: string, update: JobResultMessage): Promise<{ cancel: boolean }> {
    const lease = await this.touch(agentId, leaseId);
    // Only recorded here: what follows a job (its image, its release) subscribes to the
    // delivery events the run state emits (images/image-follow-up.ts, deploys/release-follow-up.ts).
    if (isSelected(lease, update.name)) await this.deps.runState.jobUpdate(lease.run_id, update);
    return { cancel: lease.cancel_requested === 1 };
  }

  async logs(agentId: string, leaseId: string, batch: LogBatchMessage): Promise<{ cancel: boolean }> {
    const lease = await this.touch(agentId, leaseId);
    if (batch.lines.length > 0 && isSelected(lease, batch.job)) {
      // Each attempt's agent numbers its lines from 1: the log service places them per attempt.
      await this.deps.logs.append(lease.run_id, batch.job, batch.lines, lease.attempt ?? 1);
    }
    return { cancel: lease.cancel_requested === 1 };
  }

  /** The run's state first, then the row: if the first fails, the agent retries with its lease intact. */
  async finish(agentId: string, leaseId: string, result: RunFinishMessage): Promise<void> {
    const lease = await this.touch(agentId, leaseId);
    await this.deps.runState.runFinished(lease.run_id, result);
    await this.deps.db
      .updateTable('queue')
      .set({ status: 'done' })
      .where('lease_id', '=', leaseId)
      .where('status', '=', 'leased')
      .execute();
  }

  async source(agentId: string, leaseId: string): Promise<Readable> {
    const lease = await this.touch(agentId, leaseId);
    const run = await this.deps.db
      .selectFrom('runs')
      .select(['sha', 'ref_kind', 'ref_name', 'plan'])
      .where('id', '=', lease.run_id)
      .executeTakeFirst();
    const project = await this.deps.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', lease.project_id)
      .executeTakeFirst();
    if (!run || !project) throw notFound(`lease ${leaseId}`);
    return leaseSource(this.deps.sources, project, run, this.deps.config.publicUrl);
  }

  expireLeases(now: number): Promise<number> {
    return expireLeases(
      {
        ...this.lossDeps(),
        leaseTimeoutMs: this.deps.config.leaseTimeoutMs,
        onError: (error, runId) => this.deps.log.warn({ err: error, runId }, 'could not end a lost lease'),
      },
      now,
    );
  }

  private lossDeps(): LeaseLossDeps {
    return {
      db: this.deps.db,
      runState: this.deps.runState,
      requeueLost: this.deps.config.requeueLost,
      now: this.deps.now,
    };
  }

  private async touch(agentId: string, leaseId: string): Promise<TouchedLease> {
    const row = await this.deps.db
      .updateTable('queue')
      .set({ heartbeat_at: this.deps.now() })
      .where('lease_id', '=', leaseId)
      .where('agent_id', '=', agentId)
      .where('status', '=', 'leased')
      .returning(['run_id', 'project_id', 'selection', 'cancel_requested', 'attempt'])
      .executeTakeFirst();
    if (!row) throw notFound(`lease ${leaseId}`);
    return row;
  }

  /**
   * One attempt: claim, describe, mark the run started. An execution that can never run is
   * ended visibly and the next one is tried; any other failure puts the claim back.
   */
  private async tryLease(agentId: string, signal?: AbortSignal): Promise<LeaseMessage | null> {
    for (;;) {
      if (signal?.aborted) return null;
      const row = await claimNext(this.deps.db, agentId, this.deps.now());
      if (!row) return null;
      try {
        const message = await buildLeaseMessage(this.deps, row);
        // The agent went away (or was revoked) while we claimed: nobody would run it, so put it
        // back now rather than wait for expiry. A revoke that already ended the lease wins.
        if (signal?.aborted || !(await agentExists(this.deps.db, agentId))) {
          await unclaim(this.deps.db, row);
          return null;
        }
        await this.deps.runState.runStarted(row.run_id);
        return message;
      } catch (error) {
        if (error instanceof UnrunnableExecution) {
          await this.endUnrunnable(row, error.message);
          continue;
        }
        await unclaim(this.deps.db, row);
        throw error;
      }
    }
  }

  private async endUnrunnable(row: QueueRow, message: string): Promise<void> {
    const now = this.deps.now();
    this.deps.log.warn({ runId: row.run_id }, `execution cannot run: ${message}`);
    await this.deps.runState.runFinished(row.run_id, {
      status: 'failed',
      startedAt: now,
      finishedAt: now,
      error: message,
    });
    await this.deps.db.updateTable('queue').set({ status: 'done' }).where('id', '=', row.id).execute();
  }
}

/** Reports about jobs outside an execution's selection are not this execution's to make. */
function isSelected(lease: TouchedLease, job: string): boolean {
  const jobs = parseSelection(lease.selection);
  return jobs.length === 0 || jobs.includes(job);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
