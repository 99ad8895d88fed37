/**
 * What the insights tests that add "one more release" to the golden history share: a migrated
 * SQLite database seeded with it, the production environment the release goes to, and the row a
 * deploy writes when a release has ended well. Each test still says its own image, commit and time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database, ReleaseRow } from '../../src/server/store/tables.js';
import { releaseRow } from '../support/rows.js';
import { type GoldenHistory, seedGoldenHistory } from './golden-history.js';

/** A fresh SQLite file under a temp dir named `prefix…`, migrated and seeded with the golden history. */
export async function openGoldenSqlite(
  prefix: string,
): Promise<{ db: Kysely<Database>; history: GoldenHistory }> {
  const db = openDatabase(
    `sqlite://${join(mkdtempSync(join(tmpdir(), prefix)), 'slipway.db')}`,
  ) as Kysely<Database>;
  await migrateToLatest(db as never);
  return { db, history: await seedGoldenHistory(db) };
}

export interface GoldenProduction {
  /** The environment's id. */
  id: string;
  application_id: string;
  project_id: string;
}

/** The golden project's production environment, with its application and project. */
export function goldenProduction(db: Kysely<Database>, history: GoldenHistory): Promise<GoldenProduction> {
  return db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .innerJoin('projects', 'projects.id', 'applications.project_id')
    .select(['environments.id', 'environments.application_id', 'projects.id as project_id'])
    .where('projects.name', '=', history.projectName)
    .where('environments.name', '=', 'production')
    .executeTakeFirstOrThrow();
}

/** The number the next release of `applicationId` gets. */
export async function nextReleaseNumber(db: Kysely<Database>, applicationId: string): Promise<number> {
  const last = await db
    .selectFrom('releases')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('application_id', '=', applicationId)
    .executeTakeFirstOrThrow();
  return Number(last.n) + 1;
}

/** A manual release to production that ran for a minute from `at` and succeeded. */
export function succeededRelease(
  production: GoldenProduction,
  release: { id: string; number: number; image: string; digest: string; sourceSha: string; at: number },
): ReleaseRow {
  return releaseRow(
    {
      id: release.id,
      application_id: production.application_id,
      environment_id: production.id,
      number: release.number,
      image: release.image,
      digest: release.digest,
      source_sha: release.sourceSha,
      actor: 'ada',
      finished_at: release.at + 60_000,
    },
    release.at,
  );
}
