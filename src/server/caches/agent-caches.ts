/**
 * The cache store as agents see it: every call names a lease, and acts on the caches of that
 * lease's project only (an agent cannot read or write another project's caches). Runs of
 * untrusted events (fork pull requests) may download but never upload — their agent never
 * tries, and the server refuses it anyway.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { CacheRef } from '../../protocol/agent-transport.js';
import { forbidden, notFound } from '../errors.js';
import type { Database } from '../store/tables.js';
import type { CacheDownload, CacheEntry, CacheStore } from './cache-store.js';

export class AgentCaches {
  constructor(
    private readonly db: Kysely<Database>,
    readonly store: CacheStore,
  ) {}

  async download(agentId: string, leaseId: string, cache: CacheRef): Promise<CacheDownload | null> {
    const lease = await this.lease(agentId, leaseId);
    return this.store.get(lease.projectId, cache.key, cache.paths);
  }

  async upload(
    agentId: string,
    leaseId: string,
    cache: CacheRef,
    tar: Readable,
    declared: number | null,
  ): Promise<CacheEntry> {
    const lease = await this.lease(agentId, leaseId);
    if (!lease.trusted) {
      tar.resume();
      throw forbidden('untrusted runs (fork pull requests) read caches but never write them');
    }
    return this.store.put(lease.projectId, cache.key, cache.paths, tar, declared);
  }

  /** The lease's project and whether its run may write; not_found unless this agent holds it. */
  private async lease(agentId: string, leaseId: string): Promise<{ projectId: string; trusted: boolean }> {
    const row = await this.db
      .selectFrom('queue')
      .innerJoin('runs', 'runs.id', 'queue.run_id')
      .select(['queue.project_id', 'runs.untrusted'])
      .where('queue.lease_id', '=', leaseId)
      .where('queue.agent_id', '=', agentId)
      .where('queue.status', '=', 'leased')
      .executeTakeFirst();
    if (!row) throw notFound(`lease ${leaseId}`);
    return { projectId: row.project_id, trusted: Number(row.untrusted) !== 1 };
  }
}
