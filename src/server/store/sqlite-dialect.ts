import type SQLite from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';

/**
 * kysely's SQLite dialect, except that a failed transaction reports why it failed. SQLite rolls
 * a transaction back by itself after some errors (a full disk, an I/O error, a lock timeout, no
 * memory); kysely then sends ROLLBACK anyway, which fails with "cannot rollback - no transaction
 * is active", and that error replaced the real one: a full disk answered 500 instead of 503.
 */
export class SqliteDialectKeepingCause extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new RollbackOnlyIfOpen(this.sqlite);
  }
}

/** Rolls back only a transaction SQLite still has open; one it ended itself is already undone. */
class RollbackOnlyIfOpen extends SqliteDriver {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }

  override async rollbackToSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackToSavepoint(connection, savepointName, compileQuery);
  }
}
