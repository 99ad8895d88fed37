import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ImageEventData } from '../../api/events.js';
import type { ImageHistoryJsonType, ImagesJsonType, ImageTagJsonType } from '../../api/images.js';
import type { BuiltImageMessage } from '../../protocol/agent-protocol.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { EventBus } from '../services.js';
import type { Database, ImageRow } from '../store/tables.js';

export interface CatalogueDeps {
  db: Kysely<Database>;
  events: EventBus;
  deliveries: DeliveryEventBus;
  now: () => number;
}

export type { ImageEventData };

/**
 * Records what a build job produced (called for `job.finished`, images/image-follow-up.ts): one row per tag, with the run, commit and ref that built
 * it. Idempotent — the agent may retry a job update, and (run, job, repository, tag) is unique —
 * and publishes an `image` ProjectEvent only when something new was stored. Returns the number of
 * rows stored. An untrusted run (fork pull request) may not push (security rule 1): a `pushed`
 * image it reports anyway is recorded as local — no registry, no digest — so nothing (catalogue,
 * promote by digest) treats it as a published version.
 */
export async function recordBuiltImage(
  deps: CatalogueDeps,
  runId: string,
  job: string,
  reported: BuiltImageMessage,
): Promise<number> {
  const run = await deps.db
    .selectFrom('runs')
    .select(['project_id', 'number', 'sha', 'ref_name', 'untrusted'])
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!run || reported.tags.length === 0) return 0;
  const image: BuiltImageMessage =
    run.untrusted === 1 ? { ...reported, pushed: false, registry: null, digest: null } : reported;
  const now = deps.now();
  const rows: ImageRow[] = [...new Set(image.tags)].map((tag) => ({
    id: randomUUID(),
    project_id: run.project_id,
    repository: image.repository,
    tag,
    digest: image.digest,
    image_id: image.imageId,
    size: image.size,
    registry: image.registry,
    pushed: image.pushed ? 1 : 0,
    run_id: runId,
    job,
    sha: run.sha,
    ref: run.ref_name,
    created_at: now,
  }));
  // A pushed image is a delivery fact (image.pushed), stored with its catalogue rows.
  const stored = await deps.deliveries.transact(deps.db, deps.now, async (trx, record) => {
    const result = await trx
      .insertInto('images')
      .values(rows)
      .onConflict((oc) => oc.columns(['run_id', 'job', 'repository', 'tag']).doNothing())
      .executeTakeFirst();
    const inserted = Number(result.numInsertedOrUpdatedRows ?? 0n);
    if (inserted > 0 && image.pushed) {
      record({
        type: 'image.pushed',
        projectId: run.project_id,
        runId,
        releaseId: null,
        data: { job, image },
      });
    }
    return inserted;
  });
  if (stored > 0) {
    const data: ImageEventData = {
      job,
      repository: image.repository,
      tags: rows.map((r) => r.tag),
      digest: image.digest,
      imageId: image.imageId,
      pushed: image.pushed,
      registry: image.registry,
      sha: run.sha,
      ref: run.ref_name,
    };
    deps.events.publish({ type: 'image', projectId: run.project_id, runId, number: run.number, data });
  }
  return stored;
}

type CatalogueRow = ImageRow & { run_number: number; run_record: string };

function baseQuery(db: Kysely<Database>, projectId: string) {
  return db
    .selectFrom('images')
    .innerJoin('runs', 'runs.id', 'images.run_id')
    .selectAll('images')
    .select(['runs.number as run_number', 'runs.record as run_record'])
    .where('images.project_id', '=', projectId);
}

/**
 * A project's repositories, each with its current tags (the newest version of every tag),
 * repositories and tags newest first. Older versions of a re-pushed tag are left out by the
 * query (NOT EXISTS a newer row, on the (project, repository, tag, created_at) index).
 */
export async function listImages(db: Kysely<Database>, projectId: string): Promise<ImagesJsonType> {
  const rows = (await baseQuery(db, projectId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('images as newer')
            .select('newer.id')
            .whereRef('newer.project_id', '=', 'images.project_id')
            .whereRef('newer.repository', '=', 'images.repository')
            .whereRef('newer.tag', '=', 'images.tag')
            .whereRef('newer.created_at', '>', 'images.created_at'),
        ),
      ),
    )
    .orderBy('images.created_at', 'desc')
    .orderBy('runs.number', 'desc')
    .orderBy('images.tag')
    .execute()) as CatalogueRow[];
  const repositories = new Map<string, { updatedAt: number; tags: Map<string, ImageTagJsonType> }>();
  for (const row of rows) {
    let repo = repositories.get(row.repository);
    if (!repo) {
      repo = { updatedAt: row.created_at, tags: new Map() };
      repositories.set(row.repository, repo);
    }
    // Two rows of one tag in the same millisecond: the first (higher run number) is current.
    if (!repo.tags.has(row.tag)) repo.tags.set(row.tag, tagJson(row));
  }
  return {
    repositories: [...repositories].map(([repository, repo]) => ({
      repository,
      updatedAt: repo.updatedAt,
      tags: [...repo.tags.values()],
    })),
  };
}

/** Every recorded version of one repository, newest first (at most `limit`). */
export async function listImageVersions(
  db: Kysely<Database>,
  projectId: string,
  repository: string,
  limit: number,
): Promise<ImageHistoryJsonType> {
  const rows = (await baseQuery(db, projectId)
    .where('images.repository', '=', repository)
    .orderBy('images.created_at', 'desc')
    .orderBy('runs.number', 'desc')
    .orderBy('images.tag')
    .limit(limit)
    .execute()) as CatalogueRow[];
  return { repository, versions: rows.map(tagJson) };
}

function tagJson(row: CatalogueRow): ImageTagJsonType {
  return {
    tag: row.tag,
    digest: row.digest,
    imageId: row.image_id,
    size: row.size === null ? null : Number(row.size),
    pushed: row.pushed === 1,
    registry: row.registry,
    createdAt: Number(row.created_at),
    run: { id: row.run_id, number: row.run_number, record: row.run_record },
    job: row.job,
    sha: row.sha,
    ref: row.ref,
  };
}
