/**
 * The server's cache store: archives (tar) of agents' caches, so that another agent can start
 * from a cache it never built. Content-addressed: an archive is written to a temporary file
 * while its SHA-256 is computed, then renamed to `<data dir>/caches/<sha256>` (a rename is
 * atomic, so a reader never sees half an archive, and equal contents are stored once). The
 * index (`cache_entries`) maps a project's key to its latest archive. Bounded three ways: one
 * archive (refused with too_large while it streams, never buffered), the store's total (least
 * recently used first) and age since last use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { Database } from '../store/tables.js';
import type { CacheEntryRow } from '../store/tables-caches.js';

export interface CacheStoreOptions {
  db: Kysely<Database>;
  dataDir: string;
  now: () => number;
  maxBytes: number;
  totalBytes: number;
  maxAgeMs: number;
}

export interface CacheEntry {
  key: string;
  paths: string[];
  sha256: string;
  size: number;
  createdAt: number;
  lastUsedAt: number;
}

export interface CacheDownload {
  entry: CacheEntry;
  open: () => Readable;
}

const SHA = /^[0-9a-f]{64}$/;
/** How far past the cap an upload is still read (and dropped) to answer 413 cleanly. */
const DRAIN_FACTOR = 4;
/** A temporary file older than this is a crashed upload's (an upload in flight writes steadily). */
const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

export class CacheStore {
  private readonly dir: string;

  constructor(private readonly opts: CacheStoreOptions) {
    this.dir = join(opts.dataDir, 'caches');
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /**
   * Streams `body` into the store as the key's cache. Past `maxBytes` the upload stops with
   * too_large and nothing is kept. `declared` (Content-Length) over the cap is refused at once.
   */
  async put(
    projectId: string,
    key: string,
    paths: string[],
    body: Readable,
    declared: number | null,
  ): Promise<CacheEntry> {
    const cap = this.opts.maxBytes;
    if (declared !== null && declared > cap) {
      // Read and dropped, for the same reason as below: a client still sending must get the 413.
      body.resume();
      await finished(body).catch(() => {});
      throw tooLarge(declared, cap);
    }
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `upload-${randomBytes(8).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    // Past the cap the rest of the body is read and thrown away (nothing more reaches the
    // disk) rather than the connection cut: an HTTP client still sending would otherwise wait
    // for a reader that never comes, and the agent gets a clean 413 to log.
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        // Draining is bounded too: a sender that goes on far past the cap is cut off.
        if (size > cap * DRAIN_FACTOR) {
          done(tooLarge(size, cap));
          return;
        }
        if (size > cap) {
          done();
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx' }));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    if (size > cap) {
      await rm(temp, { force: true });
      throw tooLarge(size, cap);
    }
    const sha256 = hash.digest('hex');
    await rename(temp, join(this.dir, sha256));
    const now = this.opts.now();
    const row: CacheEntryRow = {
      project_id: projectId,
      key,
      paths: JSON.stringify(paths),
      sha256,
      size,
      created_at: now,
      last_used_at: now,
    };
    const previous = await this.row(projectId, key);
    await this.opts.db
      .insertInto('cache_entries')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['project_id', 'key']).doUpdateSet({
          paths: row.paths,
          sha256: row.sha256,
          size: row.size,
          created_at: row.created_at,
          last_used_at: row.last_used_at,
        }),
      )
      .execute();
    if (previous && previous.sha256 !== sha256) await this.dropBlobIfUnused(previous.sha256);
    await this.enforceTotal();
    return toEntry(row);
  }

  /** The key's archive when it holds exactly `paths` (else null); marks it used. */
  async get(projectId: string, key: string, paths: string[]): Promise<CacheDownload | null> {
    const row = await this.row(projectId, key);
    if (!row || row.paths !== JSON.stringify(paths)) return null;
    const file = join(this.dir, row.sha256);
    if (!(await stat(file).catch(() => null))) {
      // The archive went missing (removed by hand): the row is a lie, forget it.
      await this.deleteRows(projectId, key);
      return null;
    }
    const used = this.opts.now();
    await this.opts.db
      .updateTable('cache_entries')
      .set({ last_used_at: used })
      .where('project_id', '=', projectId)
      .where('key', '=', key)
      .execute();
    return { entry: { ...toEntry(row), lastUsedAt: used }, open: () => createReadStream(file) };
  }

  async list(projectId: string): Promise<CacheEntry[]> {
    const rows = await this.opts.db
      .selectFrom('cache_entries')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('last_used_at', 'desc')
      .execute();
    return rows.map(toEntry);
  }

  /** Removes a project's caches (one key, or all); answers how many. */
  async clear(projectId: string, key?: string): Promise<number> {
    return this.deleteRows(projectId, key);
  }

  /**
   * The periodic pass: caches unused for longer than the maximum age, then the least recently
   * used beyond the total size, then temporary files of uploads that crashed.
   */
  async sweep(): Promise<number> {
    const now = this.opts.now();
    const old = await this.opts.db
      .selectFrom('cache_entries')
      .select(['project_id', 'key'])
      .where('last_used_at', '<', now - this.opts.maxAgeMs)
      .execute();
    for (const row of old) await this.deleteRows(row.project_id, row.key);
    const evicted = await this.enforceTotal();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.tmp')) continue;
      const info = await stat(join(this.dir, name)).catch(() => null);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(join(this.dir, name), { force: true });
    }
    return old.length + evicted;
  }

  /** Least recently used entries go until the store fits its total size. */
  private async enforceTotal(): Promise<number> {
    const rows = await this.opts.db
      .selectFrom('cache_entries')
      .select(['project_id', 'key', 'sha256', 'size', 'last_used_at'])
      .orderBy('last_used_at', 'desc')
      .execute();
    // Shared archives count once.
    const counted = new Set<string>();
    let total = 0;
    let evicted = 0;
    for (const row of rows) {
      if (!counted.has(row.sha256)) {
        counted.add(row.sha256);
        total += Number(row.size);
      }
      if (total > this.opts.totalBytes) {
        await this.deleteRows(row.project_id, row.key);
        evicted += 1;
      }
    }
    return evicted;
  }

  private row(projectId: string, key: string): Promise<CacheEntryRow | undefined> {
    return this.opts.db
      .selectFrom('cache_entries')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  private async deleteRows(projectId: string, key?: string): Promise<number> {
    let query = this.opts.db
      .selectFrom('cache_entries')
      .select(['key', 'sha256'])
      .where('project_id', '=', projectId);
    if (key !== undefined) query = query.where('key', '=', key);
    const rows = await query.execute();
    let del = this.opts.db.deleteFrom('cache_entries').where('project_id', '=', projectId);
    if (key !== undefined) del = del.where('key', '=', key);
    await del.execute();
    for (const sha of new Set(rows.map((r) => r.sha256))) await this.dropBlobIfUnused(sha);
    return rows.length;
  }

  /** An archive no row names any more is deleted (another project may share it). */
  private async dropBlobIfUnused(sha256: string): Promise<void> {
    if (!SHA.test(sha256)) return;
    const user = await this.opts.db
      .selectFrom('cache_entries')
      .select('key')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!user) await rm(join(this.dir, sha256), { force: true });
  }
}

function toEntry(row: CacheEntryRow): CacheEntry {
  return {
    key: row.key,
    paths: JSON.parse(row.paths) as string[],
    sha256: row.sha256,
    size: Number(row.size),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
  };
}

function tooLarge(size: number, cap: number): AppError {
  return new AppError(
    'too_large',
    `the cache archive is larger than the server accepts (${size} bytes > SLIPWAY_CACHE_MAX_BYTES ${cap})`,
  );
}
