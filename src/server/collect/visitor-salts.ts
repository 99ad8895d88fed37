import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';

/** The UTC day of a moment, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Unique visitors without cookies (the way Plausible counts): a visitor is
 * hash(salt of the day, site, client address, user agent). The salt is random, kept in
 * `visitor_salts` so every server process of the day agrees, and deleted when the day is over —
 * after that no one can recompute yesterday's hashes from an address, and the same person is a
 * new visitor tomorrow. The clock is injected, so tests can cross midnight.
 */
export class VisitorHasher {
  private current: { day: string; salt: Promise<string> } | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async visitor(siteKey: string, address: string, userAgent: string): Promise<string> {
    const salt = await this.saltOfToday();
    return createHash('sha256')
      .update(`${salt}\0${siteKey}\0${address}\0${userAgent}`)
      .digest('base64url')
      .slice(0, 22);
  }

  private saltOfToday(): Promise<string> {
    const day = utcDay(this.now());
    if (this.current?.day !== day) {
      const salt = this.rotate(day);
      this.current = { day, salt };
      salt.catch(() => {
        if (this.current?.salt === salt) this.current = null;
      });
    }
    return this.current.salt;
  }

  /** The salt of `day` (made if missing; another process may have made it first); older ones go. */
  private async rotate(day: string): Promise<string> {
    await this.db
      .insertInto('visitor_salts')
      .values({ day, salt: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    await this.db.deleteFrom('visitor_salts').where('day', '<', day).execute();
    const row = await this.db
      .selectFrom('visitor_salts')
      .select('salt')
      .where('day', '=', day)
      .executeTakeFirstOrThrow();
    return row.salt;
  }
}
