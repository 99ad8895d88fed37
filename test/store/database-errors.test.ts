import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { databaseFailure, describeDatabaseFailure } from '../../src/server/store/database-errors.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { freePort } from '../support/free-port.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('databaseFailure', () => {
  it('recognises SQLite, PostgreSQL and network codes that mean the database cannot serve', () => {
    const cases: [unknown, string | null][] = [
      [coded('SQLITE_FULL'), 'full'],
      [coded('SQLITE_IOERR_WRITE'), 'io'],
      [coded('SQLITE_IOERR_FSYNC'), 'io'],
      [coded('SQLITE_READONLY'), 'read_only'],
      [coded('SQLITE_READONLY_DBMOVED'), 'read_only'],
      [coded('SQLITE_BUSY'), 'busy'],
      [coded('SQLITE_BUSY_SNAPSHOT'), 'busy'],
      [coded('SQLITE_CANTOPEN'), 'cannot_open'],
      [coded('53100'), 'full'],
      [coded('53300'), 'connection'],
      [coded('57P01'), 'connection'],
      [coded('08006'), 'connection'],
      [coded('25006'), 'read_only'],
      [coded('ECONNREFUSED'), 'connection'],
      [new Error('Connection terminated unexpectedly'), 'connection'],
      // SQLite's answer to a ROLLBACK after it rolled back by itself, should one hide the cause.
      [coded('SQLITE_ERROR', 'cannot rollback - no transaction is active'), 'io'],
      // Wrapped: found through `cause` and AggregateError's `errors`.
      [new Error('creating the run failed', { cause: coded('SQLITE_FULL') }), 'full'],
      [new AggregateError([new Error('a'), coded('ECONNRESET')]), 'connection'],
      // Not the database's state: the caller's mistake or a bug stays what it is.
      [coded('SQLITE_CONSTRAINT_UNIQUE'), null],
      [coded('SQLITE_ERROR', 'no such table: nope'), null],
      [coded('23505'), null],
      [coded('42P01'), null],
      [new Error('boom'), null],
      ['a string', null],
      [null, null],
    ];
    for (const [error, kind] of cases)
      assert.equal(databaseFailure(error)?.kind ?? null, kind, `${JSON.stringify(error)} ${String(error)}`);
  });

  it('says what is wrong and which code', () => {
    assert.equal(
      describeDatabaseFailure({ kind: 'full', code: 'SQLITE_FULL' }),
      'the database is unavailable (its disk is full: SQLITE_FULL); retry once it is back',
    );
  });

  it('a PostgreSQL server nobody listens for is a connection failure', async () => {
    const db = openDatabase(`postgres://slipway:x@127.0.0.1:${await freePort()}/slipway`);
    try {
      const error = await sql`SELECT 1`.execute(db).then(
        () => null,
        (e: unknown) => e,
      );
      assert.deepEqual(databaseFailure(error), { kind: 'connection', code: 'ECONNREFUSED' });
    } finally {
      await db.destroy();
    }
  });
});
