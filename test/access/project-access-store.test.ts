/**
 * Membership and visibility as the database holds them, on SQLite and PostgreSQL: migration 025
 * turns existing projects internal, the effective role follows the rules of
 * access/project-access.ts, member changes are audited, and members go with their project or user.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { projectRoleOf, readableProjectIds } from '../../src/server/access/project-access.js';
import {
  listMembers,
  putMember,
  removeMember,
  setVisibility,
} from '../../src/server/access/project-members.js';
import { MIGRATIONS, migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { runMigrations } from '../../src/server/store/run-migrations.js';
import type { Database, Role } from '../../src/server/store/tables.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { projectRow } from '../support/rows.js';

const BEFORE_025 = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '025'));

async function addUser(
  db: Kysely<Database>,
  username: string,
  role: Role,
): Promise<{ userId: string; role: Role }> {
  const id = randomUUID();
  await db.insertInto('users').values({ id, username, password_hash: '!', role, created_at: 0 }).execute();
  return { userId: id, role };
}

function suite(name: string, open: () => Promise<{ db: Kysely<Database>; close: () => Promise<void> }>) {
  describe(`project access store (${name})`, { concurrency: false }, () => {
    let db: Kysely<Database>;
    let close: () => Promise<void>;
    let legacyId: string;
    before(async () => {
      ({ db, close } = await open());
      // An installation from before per-project access: a project exists, then 025 runs.
      await runMigrations(db as never, BEFORE_025);
      const legacy = projectRow({ name: 'legacy' });
      delete (legacy as { visibility?: unknown }).visibility;
      legacyId = legacy.id;
      await db.insertInto('projects').values(legacy).execute();
      const applied = await migrateToLatest(db as never);
      assert.equal(applied[0], '025_project_access', `applied: ${applied.join(', ')}`);
    });
    after(() => close());

    it('migration 025 makes existing projects internal, so every signed-in user still reads them', async () => {
      const row = await db
        .selectFrom('projects')
        .select('visibility')
        .where('id', '=', legacyId)
        .executeTakeFirstOrThrow();
      assert.equal(row.visibility, 'internal');
      const viewer = await addUser(db, 'old-viewer', 'viewer');
      const maintainer = await addUser(db, 'old-maintainer', 'maintainer');
      const policy = { allowPublic: false };
      assert.equal(
        await projectRoleOf(db, viewer, { id: legacyId, visibility: 'internal' }, policy),
        'viewer',
      );
      assert.equal(
        await projectRoleOf(db, maintainer, { id: legacyId, visibility: 'internal' }, policy),
        'maintainer',
      );
      assert.equal(await projectRoleOf(db, null, { id: legacyId, visibility: 'internal' }, policy), null);
    });

    it('private: members and admins only; the higher of membership and visibility wins', async () => {
      const project = projectRow({ name: 'secret', visibility: 'private' });
      await db.insertInto('projects').values(project).execute();
      const admin = await addUser(db, 'root', 'admin');
      const dev = await addUser(db, 'dev', 'viewer');
      const stranger = await addUser(db, 'stranger', 'maintainer');
      const deps = { db, now: () => 1000 };
      assert.deepEqual(await putMember(deps, project, 'dev', 'developer', 'root'), { created: true });
      assert.deepEqual(await putMember(deps, project, 'dev', 'developer', 'root'), { created: false });
      const policy = { allowPublic: false };
      assert.equal(await projectRoleOf(db, admin, project, policy), 'maintainer');
      assert.equal(await projectRoleOf(db, dev, project, policy), 'developer');
      assert.equal(await projectRoleOf(db, stranger, project, policy), null);
      assert.equal(await projectRoleOf(db, null, project, policy), null);

      const readable = await readableProjectIds(db, stranger, policy);
      assert.ok(readable !== 'all' && !readable.has(project.id) && readable.has(legacyId));
      const devReadable = await readableProjectIds(db, dev, policy);
      assert.ok(devReadable !== 'all' && devReadable.has(project.id));
      assert.equal(await readableProjectIds(db, admin, policy), 'all');

      // Internal now: the stranger (instance maintainer) acts, the member keeps the higher role.
      const internal = await setVisibility(deps, project, 'internal', 'root');
      assert.equal(await projectRoleOf(db, stranger, internal, policy), 'maintainer');
      assert.equal(await projectRoleOf(db, dev, internal, policy), 'developer');

      await putMember(deps, project, 'dev', 'maintainer', 'root');
      assert.deepEqual(
        (await listMembers(db, project.id)).map((m) => [m.username, m.role, m.instanceRole]),
        [['dev', 'maintainer', 'viewer']],
      );
      assert.equal(await removeMember(deps, project, 'dev', 'root'), true);
      assert.equal(await removeMember(deps, project, 'dev', 'root'), false);
      const audit = await db
        .selectFrom('audit_log')
        .select(['action', 'target', 'detail'])
        .where('project_id', '=', project.id)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['member.add', 'project.visibility', 'member.update', 'member.remove'],
      );
    });

    it('public: anonymous readers only while the server allows public projects', async () => {
      const project = projectRow({ name: 'open', visibility: 'public' });
      await db.insertInto('projects').values(project).execute();
      assert.equal(await projectRoleOf(db, null, project, { allowPublic: true }), 'viewer');
      assert.equal(await projectRoleOf(db, null, project, { allowPublic: false }), null);
      const anon = await readableProjectIds(db, null, { allowPublic: true });
      assert.ok(anon !== 'all' && anon.has(project.id) && !anon.has(legacyId));
    });

    it('members go with their project and with their user; one role per user and project', async () => {
      const project = projectRow({ name: 'short-lived', visibility: 'private' });
      await db.insertInto('projects').values(project).execute();
      const u = await addUser(db, 'temp', 'viewer');
      await putMember({ db, now: () => 1 }, project, 'temp', 'viewer', 'root');
      await assert.rejects(
        db
          .insertInto('project_members')
          .values({ project_id: project.id, user_id: u.userId, role: 'developer', created_at: 2 })
          .execute(),
      );
      await db.deleteFrom('users').where('id', '=', u.userId).execute();
      assert.deepEqual(await listMembers(db, project.id), []);
      await addUser(db, 'temp2', 'viewer');
      await putMember({ db, now: () => 1 }, project, 'temp2', 'viewer', 'root');
      await db.deleteFrom('projects').where('id', '=', project.id).execute();
      const left = await db
        .selectFrom('project_members')
        .selectAll()
        .where('project_id', '=', project.id)
        .execute();
      assert.deepEqual(left, []);
    });
  });
}

suite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-access-'));
  const db = openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  return {
    db,
    close: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

let cluster: PostgresCluster | null = null;
suite('PostgreSQL', async () => {
  cluster = await startPostgres();
  const db = openDatabase(await cluster.createDatabase('access'));
  return {
    db,
    close: async () => {
      await db.destroy();
      await cluster?.stop();
    },
  };
});
