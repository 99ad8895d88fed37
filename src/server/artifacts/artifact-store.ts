/**
 * Job artifacts on the server: one tar.gz per job of a run under
 * `<dataDir>/artifacts/<project>/<run>/<job>.tar.gz`, indexed by the `artifacts` table.
 *
 * Uploads stream to a temporary file while a copy of the stream is inspected (every entry
 * checked, files listed); the file is renamed into place only when the archive was whole and
 * safe and within the caps, so a reader never sees half an upload. Caps: SLIPWAY_ARTIFACT_MAX_JOB_BYTES
 * per job, SLIPWAY_ARTIFACT_PROJECT_QUOTA_BYTES per project (counting the job's own earlier
 * upload as freed, since it is replaced). Memory stays flat: nothing is buffered beyond stream
 * chunks, whatever the archive's size.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Kysely, sql } from 'kysely';
import type { ArtifactStoredMessage } from '../../protocol/artifact-protocol.js';
import type { ServerConfig } from '../config.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { Database } from '../store/tables.js';
import type { ArtifactRow } from '../store/tables-artifacts.js';
import { archiveInspector, UnsafeArchiveError } from './archive-inspector.js';

export interface ArtifactStoreDeps {
  db: Kysely<Database>;
  config: Pick<ServerConfig, 'dataDir' | 'artifacts'>;
  now: () => number;
}

export interface UploadMeta {
  /** Download name; null = the job name. */
  name: string | null;
  /** null = the server's default expiry; 'never' = kept until deleted. */
  expireInMs: number | 'never' | null;
}

export class ArtifactStore {
  constructor(private readonly deps: ArtifactStoreDeps) {}

  /** Stores the archive of `job` of the run (replacing an earlier one); see the file comment. */
  async receive(
    run: { runId: string; projectId: string },
    job: string,
    body: Readable,
    meta: UploadMeta,
  ): Promise<ArtifactStoredMessage> {
    const { db, config } = this.deps;
    const known = await db
      .selectFrom('jobs')
      .select('name')
      .where('run_id', '=', run.runId)
      .where('name', '=', job)
      .executeTakeFirst();
    if (!known) throw notFound(`job "${job}" of the run`);
    const earlier = await this.find(run.runId, job);
    const used = (await this.projectUsage(run.projectId)) - (earlier?.size ?? 0);
    const quotaLeft = config.artifacts.projectQuotaBytes - used;
    const room = Math.min(config.artifacts.maxJobBytes, quotaLeft);
    const tooLarge = () =>
      room === quotaLeft && quotaLeft < config.artifacts.maxJobBytes
        ? new AppError(
            'too_large',
            `the project's artifacts would pass its quota of ${config.artifacts.projectQuotaBytes} bytes (SLIPWAY_ARTIFACT_PROJECT_QUOTA_BYTES); ${Math.max(0, quotaLeft)} bytes are left`,
          )
        : new AppError(
            'too_large',
            `artifacts of job "${job}" are larger than ${config.artifacts.maxJobBytes} bytes (SLIPWAY_ARTIFACT_MAX_JOB_BYTES)`,
          );
    if (room <= 0) {
      body.resume();
      throw tooLarge();
    }
    const dir = join(config.dataDir, 'artifacts', safeSegment(run.projectId), safeSegment(run.runId));
    await mkdir(dir, { recursive: true });
    const final = join(dir, `${safeSegment(job)}.tar.gz`);
    const part = join(dir, `.${safeSegment(job)}.${randomUUID()}.part`);
    const inspector = archiveInspector();
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        size += chunk.length;
        if (size > room) return callback(tooLarge());
        // Tee into the inspector, at its pace: a slow check slows the upload, never buffers it.
        if (inspector.sink.write(chunk)) return callback(null, chunk);
        inspector.sink.once('drain', () => callback(null, chunk));
      },
      flush(callback) {
        inspector.sink.end(() => callback());
      },
    });
    inspector.done.catch((error: Error) => meter.destroy(error));
    try {
      await pipeline(body, meter, createWriteStream(part));
      const listing = await inspector.done;
      await rename(part, final);
      const now = this.deps.now();
      const row: ArtifactRow = {
        id: randomUUID(),
        project_id: run.projectId,
        run_id: run.runId,
        job,
        name: meta.name ?? job,
        path: relative(config.dataDir, final),
        size,
        files: listing.files,
        entries: JSON.stringify(listing.entries),
        created_at: now,
        expires_at:
          meta.expireInMs === 'never' ? null : now + (meta.expireInMs ?? config.artifacts.defaultExpiryMs),
      };
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('artifacts').where('run_id', '=', run.runId).where('job', '=', job).execute();
        await trx.insertInto('artifacts').values(row).execute();
      });
      return { size, files: listing.files };
    } catch (error) {
      inspector.sink.destroy();
      await rm(part, { force: true });
      if (error instanceof UnsafeArchiveError) throw invalid('body', error.message);
      throw error;
    }
  }

  find(runId: string, job: string): Promise<ArtifactRow | undefined> {
    return this.deps.db
      .selectFrom('artifacts')
      .selectAll()
      .where('run_id', '=', runId)
      .where('job', '=', job)
      .executeTakeFirst();
  }

  list(runId: string): Promise<ArtifactRow[]> {
    return this.deps.db
      .selectFrom('artifacts')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('job')
      .execute();
  }

  /** The stored archive, as a stream (its size from the row). */
  async open(row: ArtifactRow): Promise<Readable> {
    const file = join(this.deps.config.dataDir, row.path);
    if (!(await stat(file).catch(() => null))) throw notFound(`artifacts of job "${row.job}"`);
    return createReadStream(file, { highWaterMark: 1024 * 1024 });
  }

  /** Bytes the project's artifacts take. */
  async projectUsage(projectId: string): Promise<number> {
    const row = await this.deps.db
      .selectFrom('artifacts')
      .select(sql<number | string | null>`sum(size)`.as('total'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /**
   * Removes expired artifacts and those whose run no longer exists (a deleted run or project);
   * returns how many. Run by the server's timer; safe to run concurrently with uploads (an
   * upload replaces its row in a transaction and its file by rename).
   */
  async sweep(now: number): Promise<number> {
    const { db, config } = this.deps;
    const rows = await db
      .selectFrom('artifacts')
      .leftJoin('runs', 'runs.id', 'artifacts.run_id')
      .select(['artifacts.id', 'artifacts.path'])
      .where((eb) =>
        eb.or([
          eb.and([eb('artifacts.expires_at', 'is not', null), eb('artifacts.expires_at', '<=', now)]),
          eb('runs.id', 'is', null),
        ]),
      )
      .limit(500)
      .execute();
    for (const row of rows) {
      await db.deleteFrom('artifacts').where('id', '=', row.id).execute();
      await rm(join(config.dataDir, row.path), { force: true });
    }
    return rows.length;
  }
}

/** A path segment from an id or job name (both are restricted already; this is the last guard). */
function safeSegment(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(text) || text.includes('..'))
    throw invalid('params', `"${text}" cannot name a file`);
  return text;
}
