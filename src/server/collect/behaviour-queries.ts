import { type Kysely, sql } from 'kysely';
import type { BehaviourReport } from '../../api/behaviour.js';
import type { Database } from '../store/tables.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface BehaviourScope {
  applicationId: string;
  from: number;
  to: number;
  /** Only events attributed to this release (id), or all. */
  releaseId: string | null;
}

export type { BehaviourReport };

/** Hourly buckets up to two days, daily beyond. */
export function bucketFor(from: number, to: number): number {
  return to - from <= 2 * DAY ? HOUR : DAY;
}

const n = (v: unknown): number => Number(v ?? 0);

/**
 * The behaviour views of one application over a time range (optionally one release): totals,
 * a series per hour or day, top pages, referrers, custom events, client errors, and the same
 * counts per release. Plain GROUP BYs that SQLite and PostgreSQL answer alike (counts come back
 * as strings from PostgreSQL's bigint, hence `n`).
 */
export async function behaviourReport(db: Kysely<Database>, scope: BehaviourScope): Promise<BehaviourReport> {
  const bucketMs = bucketFor(scope.from, scope.to);
  const base = () => {
    let q = db
      .selectFrom('behaviour_events')
      .where('application_id', '=', scope.applicationId)
      .where('occurred_at', '>=', scope.from)
      .where('occurred_at', '<', scope.to);
    if (scope.releaseId) q = q.where('release_id', '=', scope.releaseId);
    return q;
  };
  const isView = sql<number>`case when kind = 'pageview' then 1 else 0 end`;
  const isEvent = sql<number>`case when kind = 'event' then 1 else 0 end`;
  const isError = sql<number>`case when kind = 'error' then 1 else 0 end`;
  const bucket = sql<number>`occurred_at - (occurred_at % ${sql.lit(bucketMs)})`;

  const [totals, series, pages, referrers, events, errors, releases] = await Promise.all([
    base()
      .select((eb) => [
        eb.fn.count<number>('visitor').distinct().as('visitors'),
        eb.fn.sum<number>(isView).as('views'),
        eb.fn.sum<number>(isEvent).as('events'),
        eb.fn.sum<number>(isError).as('errors'),
      ])
      .executeTakeFirst(),
    base()
      .select((eb) => [
        bucket.as('at'),
        eb.fn.count<number>('visitor').distinct().as('visitors'),
        eb.fn.sum<number>(isView).as('views'),
        eb.fn.sum<number>(isEvent).as('events'),
        eb.fn.sum<number>(isError).as('errors'),
      ])
      .groupBy(bucket)
      .orderBy(bucket)
      .execute(),
    base()
      .where('kind', '=', 'pageview')
      .select((eb) => [
        'path',
        eb.fn.countAll<number>().as('views'),
        eb.fn.count<number>('visitor').distinct().as('visitors'),
      ])
      .groupBy('path')
      .orderBy('views', 'desc')
      .orderBy('path')
      .limit(20)
      .execute(),
    base()
      .where('kind', '=', 'pageview')
      .where('referrer', 'is not', null)
      .select((eb) => ['referrer', eb.fn.countAll<number>().as('views')])
      .groupBy('referrer')
      .orderBy('views', 'desc')
      .orderBy('referrer')
      .limit(20)
      .execute(),
    base()
      .where('kind', '=', 'event')
      .select((eb) => [
        'name',
        eb.fn.countAll<number>().as('count'),
        eb.fn.count<number>('visitor').distinct().as('visitors'),
      ])
      .groupBy('name')
      .orderBy('count', 'desc')
      .orderBy('name')
      .limit(20)
      .execute(),
    base()
      .where('kind', '=', 'error')
      .select((eb) => ['name', eb.fn.countAll<number>().as('count'), eb.fn.max('occurred_at').as('last_at')])
      .groupBy('name')
      .orderBy('count', 'desc')
      .orderBy('name')
      .limit(20)
      .execute(),
    releaseCounts(db, scope),
  ]);

  return {
    from: scope.from,
    to: scope.to,
    bucketMs,
    totals: {
      visitors: n(totals?.visitors),
      views: n(totals?.views),
      events: n(totals?.events),
      errors: n(totals?.errors),
    },
    series: series.map((r) => ({
      at: n(r.at),
      visitors: n(r.visitors),
      views: n(r.views),
      events: n(r.events),
      errors: n(r.errors),
    })),
    pages: pages.map((r) => ({ path: r.path, views: n(r.views), visitors: n(r.visitors) })),
    referrers: referrers.map((r) => ({ host: r.referrer as string, views: n(r.views) })),
    events: events.map((r) => ({ name: r.name as string, count: n(r.count), visitors: n(r.visitors) })),
    errors: errors.map((r) => ({ message: r.name as string, count: n(r.count), lastAt: n(r.last_at) })),
    releases,
  };
}

async function releaseCounts(
  db: Kysely<Database>,
  scope: BehaviourScope,
): Promise<BehaviourReport['releases']> {
  let q = db
    .selectFrom('behaviour_events as b')
    .innerJoin('releases as r', 'r.id', 'b.release_id')
    .leftJoin('environments as e', 'e.id', 'r.environment_id')
    .where('b.application_id', '=', scope.applicationId)
    .where('b.occurred_at', '>=', scope.from)
    .where('b.occurred_at', '<', scope.to);
  if (scope.releaseId) q = q.where('b.release_id', '=', scope.releaseId);
  const rows = await q
    .select((eb) => [
      'r.id as id',
      'r.number as number',
      'e.name as environment',
      eb.fn.count<number>('b.visitor').distinct().as('visitors'),
      eb.fn.sum<number>(sql`case when b.kind = 'pageview' then 1 else 0 end`).as('views'),
      eb.fn.sum<number>(sql`case when b.kind = 'event' then 1 else 0 end`).as('events'),
      eb.fn.sum<number>(sql`case when b.kind = 'error' then 1 else 0 end`).as('errors'),
    ])
    .groupBy(['r.id', 'r.number', 'e.name'])
    .orderBy('r.number', 'desc')
    .limit(50)
    .execute();
  const ids = rows.map((r) => r.id);
  const feedback =
    ids.length === 0
      ? []
      : await db
          .selectFrom('feedback_messages')
          .select((eb) => ['release_id', eb.fn.countAll<number>().as('count')])
          .where('release_id', 'in', ids)
          .where('created_at', '>=', scope.from)
          .where('created_at', '<', scope.to)
          .groupBy('release_id')
          .execute();
  const feedbackOf = new Map(feedback.map((f) => [f.release_id, n(f.count)]));
  return rows.map((r) => ({
    number: n(r.number),
    environment: r.environment ?? null,
    visitors: n(r.visitors),
    views: n(r.views),
    events: n(r.events),
    errors: n(r.errors),
    feedback: feedbackOf.get(r.id) ?? 0,
  }));
}
