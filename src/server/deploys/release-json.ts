import type { Kysely } from 'kysely';
import { environmentConfigSchema } from '../../api/environment-config.js';
import type { ApplicationJson, EnvironmentJson, ReleaseJson } from '../../api/releases.js';
import type {
  ApplicationRow,
  Database,
  EnvironmentObservationRow,
  EnvironmentRow,
  ReleaseRow,
} from '../store/tables.js';
import { observationsOf } from './environment-observations.js';
import { deriveObservedHealth } from './observed-health.js';
import { servingReleaseNow } from './serving-release.js';

/** Release rows → JSON, resolving run ids and release ids to the numbers users see. */
export async function toReleaseJsons(
  db: Kysely<Database>,
  rows: readonly ReleaseRow[],
  envNames: Map<string, string>,
): Promise<ReleaseJson[]> {
  const runIds = [...new Set(rows.flatMap((r) => [r.release_run_id, r.source_run_id]).filter(isString))];
  const runs = runIds.length
    ? await db.selectFrom('runs').select(['id', 'number']).where('id', 'in', runIds).execute()
    : [];
  const runNumber = new Map(runs.map((r) => [r.id, r.number]));
  const relIds = [...new Set(rows.flatMap((r) => [r.rollback_of, r.promoted_from]).filter(isString))];
  const rels = relIds.length
    ? await db.selectFrom('releases').select(['id', 'number']).where('id', 'in', relIds).execute()
    : [];
  const relNumber = new Map(rels.map((r) => [r.id, r.number]));
  const ended = rows.filter((r) => r.reason !== null).map((r) => r.id);
  const reasons = ended.length
    ? await db.selectFrom('release_reasons').selectAll().where('release_id', 'in', ended).execute()
    : [];
  const reasonOf = new Map(reasons.map((r) => [r.release_id, r]));
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    environment: envNames.get(r.environment_id) ?? '',
    image: r.image,
    digest: r.digest,
    configVersion: r.config_version,
    replicas: r.replicas,
    trigger: r.trigger,
    actor: r.actor,
    status: r.status,
    reason: r.reason,
    ...reasonCodeOf(reasonOf.get(r.id)),
    sourceSha: r.source_sha,
    sourceRun: r.source_run_id ? (runNumber.get(r.source_run_id) ?? null) : null,
    releaseRun: r.release_run_id ? (runNumber.get(r.release_run_id) ?? null) : null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.started_at !== null && r.finished_at !== null ? r.finished_at - r.started_at : null,
    rollbackOf: r.rollback_of ? (relNumber.get(r.rollback_of) ?? null) : null,
    promotedFrom: r.promoted_from ? (relNumber.get(r.promoted_from) ?? null) : null,
  }));
}

function reasonCodeOf(row: { code: string; params: string } | undefined): {
  reasonCode?: string;
  reasonParams?: Record<string, string | number>;
} {
  if (!row) return {};
  try {
    return { reasonCode: row.code, reasonParams: JSON.parse(row.params) as Record<string, string | number> };
  } catch {
    return { reasonCode: row.code };
  }
}

/** An application with its environments side by side, each with what runs and how it went. */
export async function toApplicationJson(
  db: Kysely<Database>,
  app: ApplicationRow,
  clock: { now: number; staleMs: number },
): Promise<ApplicationJson> {
  const envs = await db
    .selectFrom('environments')
    .selectAll()
    .where('application_id', '=', app.id)
    .orderBy('position')
    .orderBy('name')
    .execute();
  const envNames = new Map(envs.map((e) => [e.id, e.name]));
  const observations = await observationsOf(
    db,
    envs.map((e) => e.id),
  );
  const environments: EnvironmentJson[] = [];
  for (const env of envs) {
    const latestRow = await db
      .selectFrom('releases')
      .selectAll()
      .where('environment_id', '=', env.id)
      .orderBy('number', 'desc')
      .executeTakeFirst();
    const runningRow = await servingReleaseNow(db, env.id);
    const latest = latestRow ? ((await toReleaseJsons(db, [latestRow], envNames))[0] ?? null) : null;
    const running = runningRow ? ((await toReleaseJsons(db, [runningRow], envNames))[0] ?? null) : null;
    environments.push(environmentJson(env, running, latest, observations.get(env.id) ?? null, clock));
  }
  return { name: app.name, createdAt: app.created_at, environments };
}

function environmentJson(
  env: EnvironmentRow,
  running: ReleaseJson | null,
  latest: ReleaseJson | null,
  observation: EnvironmentObservationRow | null,
  clock: { now: number; staleMs: number },
): EnvironmentJson {
  const observed = observation
    ? {
        at: observation.observed_at,
        running: observation.running,
        healthy: observation.healthy,
        desired: observation.desired,
        image: observation.image,
        releaseId: observation.release_id,
      }
    : null;
  const config = environmentConfigSchema.parse(JSON.parse(env.config));
  // During an environment's first release nothing is served yet, but the agent already sees the
  // new container (healthy before the proxy switches to it): that is not what users get, so the
  // release's own state ("deploying") shows until it has served.
  const firstRollout = !running && (latest?.status === 'queued' || latest?.status === 'running');
  const shown = firstRollout ? null : observed;
  return {
    name: env.name,
    position: env.position,
    target: env.target,
    config,
    configVersion: env.config_version,
    requiresApproval: env.requires_approval === 1,
    production: env.production === 1,
    autoRelease: env.auto_release ? (JSON.parse(env.auto_release) as { branches: string[] }) : null,
    running,
    latest,
    health: shown ? deriveObservedHealth(shown, clock.now, clock.staleMs) : health(running, latest),
    healthSource: shown ? 'observed' : 'release',
    replicas: running?.replicas ?? 0,
    observed,
  };
}

function health(running: ReleaseJson | null, latest: ReleaseJson | null): EnvironmentJson['health'] {
  if (!latest) return 'not_deployed';
  switch (latest.status) {
    case 'succeeded':
      return 'healthy';
    case 'queued':
    case 'running':
      return 'deploying';
    case 'awaiting_approval':
      return running ? 'healthy' : 'awaiting_approval';
    default:
      // A failed or rolled-back release leaves the previous version serving, when there was one.
      return running ? 'degraded' : 'failed';
  }
}

function isString(v: string | null): v is string {
  return v !== null;
}
