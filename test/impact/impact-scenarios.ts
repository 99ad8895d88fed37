/**
 * Known release-impact scenarios for the golden tests (SQLite and PostgreSQL), the API test and
 * the browser test: an application "web" whose production environment saw five releases, each
 * with per-minute traffic rows as the agent's proxy would have reported them, and a "canary"
 * environment where a canary answering 500 on 20 % of its share was rolled back.
 *
 * Production (minutes after t0; R<n> = release n; 100 requests a minute unless said):
 *   R1 live at 0, serves 0–61: 1 5xx a minute, latency mostly 20–50 ms (p95 75 ms)
 *   R2 60→62 healthy: serves 62–121, same as R1 plus a proxy error every 10 min   → no_change
 *   R3 120→122 faster: serves 122–181, latency mostly 5–10 ms (p95 15 ms)          → better
 *   R4 180→182 broken: serves 182–241, 20 5xx a minute, R3's latency                → worse
 *   R5 240→242 quiet: serves 242–299, 2 requests a minute                           → not_enough_data
 * Canary environment:
 *   R6 live at 0, serves 0–79 (90 a minute while the canary takes 10, 1 5xx a minute)
 *   R7 starts 60, canary share 60–69 with 2 5xx of 10 a minute, rolled back at 70    → canary worse
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { LATENCY_BUCKETS } from '../../src/domain/release-stats.js';
import type { Database, ReleaseRow } from '../../src/server/store/tables.js';
import { projectRow, releaseRow } from '../support/rows.js';

export const MIN = 60_000;

export interface ImpactScenario {
  project: string;
  app: string;
  t0: number;
  releaseIds: Record<number, string>;
}

/** Latency histogram of n requests spread 10 % / 80 % / 10 % over three buckets from `first`. */
function spread(n: number, first: number): number[] {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  const edge = Math.round(n * 0.1);
  counts[first] = edge;
  counts[first + 1] = n - 2 * edge;
  counts[first + 2] = edge;
  return counts;
}
const SLOW = 4; // buckets (10,20] (20,50] (50,100]
const FAST = 2; // buckets (2,5] (5,10] (10,20]

/** Seeds the scenarios with t0 a whole minute; returns names and release ids. */
export async function seedImpactScenarios(db: Kysely<Database>, t0: number): Promise<ImpactScenario> {
  const project = projectRow({ created_at: t0 - 60 * MIN });
  await db.insertInto('projects').values(project).execute();
  const app = { id: randomUUID(), project_id: project.id, name: 'web', created_at: t0 - 60 * MIN };
  await db.insertInto('applications').values(app).execute();
  const env = (name: string, position: number, production: number, config: object) => ({
    id: randomUUID(),
    application_id: app.id,
    name,
    position,
    target: 'docker' as const,
    config: JSON.stringify(config),
    requires_approval: 0,
    auto_release: null,
    config_version: 1,
    created_at: t0 - 60 * MIN,
    updated_at: t0 - 60 * MIN,
    production,
  });
  const production = env('production', 0, 1, { impact: { window: '30m', min_requests: 100 } });
  const canaryEnv = env('canary', 1, 0, {});
  await db.insertInto('environments').values([production, canaryEnv]).execute();

  const releaseIds: Record<number, string> = {};
  const release = async (
    environmentId: string,
    number: number,
    startMin: number,
    endMin: number,
    fields: Partial<ReleaseRow> = {},
  ) => {
    const row = releaseRow({
      application_id: app.id,
      environment_id: environmentId,
      number,
      image: `registry.test/web:${number}`,
      digest: `sha256:${String(number).padStart(64, '0')}`,
      actor: 'ada',
      created_at: t0 + startMin * MIN - 1000,
      started_at: t0 + startMin * MIN,
      finished_at: t0 + endMin * MIN,
      ...fields,
    });
    await db.insertInto('releases').values(row).execute();
    releaseIds[number] = row.id;
    return row.id;
  };
  const minutes = async (
    environmentId: string,
    releaseId: string,
    from: number,
    to: number,
    per: (m: number) => { requests: number; s5xx: number; proxy?: number; fast?: boolean },
    role: 'stable' | 'canary' = 'stable',
  ) => {
    const rows = [];
    for (let m = from; m <= to; m++) {
      const p = per(m);
      rows.push({
        environment_id: environmentId,
        release_id: releaseId,
        role,
        minute: t0 + m * MIN,
        requests: p.requests,
        status_2xx: p.requests - p.s5xx - 1,
        status_4xx: 1,
        status_5xx: p.s5xx,
        proxy_errors: p.proxy ?? 0,
        latency_counts: JSON.stringify(spread(p.requests, p.fast ? FAST : SLOW)),
        latency_sum_ms: p.requests * (p.fast ? 8 : 35),
      });
    }
    await db.insertInto('traffic_minutes').values(rows).execute();
  };

  const r1 = await release(production.id, 1, -5, 0);
  await minutes(production.id, r1, 0, 61, () => ({ requests: 100, s5xx: 1 }));
  const r2 = await release(production.id, 2, 60, 62);
  await minutes(production.id, r2, 62, 121, (m) => ({ requests: 100, s5xx: 1, proxy: m % 10 === 0 ? 1 : 0 }));
  const r3 = await release(production.id, 3, 120, 122);
  await minutes(production.id, r3, 122, 181, () => ({ requests: 100, s5xx: 1, fast: true }));
  const r4 = await release(production.id, 4, 180, 182);
  await minutes(production.id, r4, 182, 241, () => ({ requests: 100, s5xx: 20, fast: true }));
  const r5 = await release(production.id, 5, 240, 242);
  await minutes(production.id, r5, 242, 299, () => ({ requests: 2, s5xx: 0, fast: true }));

  const r6 = await release(canaryEnv.id, 6, -5, 0);
  await minutes(canaryEnv.id, r6, 0, 79, (m) => ({ requests: m >= 60 && m < 70 ? 90 : 100, s5xx: 1 }));
  const r7 = await release(canaryEnv.id, 7, 60, 70, {
    status: 'rolled_back',
    reason: 'canary worse than stable',
  });
  await minutes(canaryEnv.id, r7, 60, 69, () => ({ requests: 10, s5xx: 2 }), 'canary');

  // What the collect endpoint would have attributed: client errors and feedback for R4.
  const visitor = 'v'.repeat(16);
  await db
    .insertInto('behaviour_events')
    .values(
      [185, 190, 200, 250].map((m, i) => ({
        id: randomUUID(),
        application_id: app.id,
        environment_id: production.id,
        release_id: r4,
        kind: 'error' as const,
        name: `TypeError ${i}`,
        path: '/checkout',
        referrer: null,
        visitor,
        props: null,
        occurred_at: t0 + m * MIN,
      })),
    )
    .execute();
  await db
    .insertInto('feedback_messages')
    .values(
      [1, 2, null].map((rating, i) => ({
        id: randomUUID(),
        application_id: app.id,
        environment_id: production.id,
        release_id: r4,
        message: `checkout broke ${i}`,
        rating,
        contact: null,
        page: '/checkout',
        visitor,
        created_at: t0 + (190 + i) * MIN,
        resolved_at: null,
      })),
    )
    .execute();
  return { project: project.name, app: 'web', t0, releaseIds };
}
