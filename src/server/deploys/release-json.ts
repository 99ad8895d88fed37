import type { Kysely } from 'kysely';
import { z } from 'zod';
import type {
  ApplicationRow,
  Database,
  EnvironmentObservationRow,
  EnvironmentRow,
  ReleaseRow,
} from '../store/tables.js';
import { environmentConfigSchema } from './environment-config.js';
import { observationsOf } from './environment-observations.js';
import { deriveObservedHealth } from './observed-health.js';
import { servingReleaseNow } from './serving-release.js';

/** The API shapes of releases, environments and applications. */
export const releaseJsonSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  environment: z.string(),
  image: z.string().nullable(),
  digest: z.string().nullable(),
  configVersion: z.number().int(),
  replicas: z.number().int(),
  trigger: z.string(),
  actor: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  /** A stable code for `reason` with its parameters (e.g. canary_failed), when the agent gave one. */
  reasonCode: z.string().optional(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  sourceSha: z.string().nullable(),
  /** Number of the run that built the image (pipeline/auto releases). */
  sourceRun: z.number().int().nullable(),
  /** Number of the run that executed the release: its page shows the live log. */
  releaseRun: z.number().int().nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  rollbackOf: z.number().int().nullable(),
  promotedFrom: z.number().int().nullable(),
});
export type ReleaseJson = z.infer<typeof releaseJsonSchema>;

export const HEALTHS = [
  'not_deployed',
  'healthy',
  'deploying',
  'awaiting_approval',
  'degraded',
  'failed',
  // Observed only (see observed-health.ts):
  'down',
  'unknown',
] as const;

export const observedJsonSchema = z.object({
  /** When the agent last reported this environment (Unix ms). */
  at: z.number(),
  running: z.number().int(),
  healthy: z.number().int(),
  desired: z.number().int(),
  image: z.string().nullable(),
  releaseId: z.string().nullable(),
});

export const environmentJsonSchema = z.object({
  name: z.string(),
  position: z.number().int(),
  target: z.string(),
  config: environmentConfigSchema,
  configVersion: z.number().int(),
  requiresApproval: z.boolean(),
  /** Counted as production by delivery insights (migration 018). */
  production: z.boolean(),
  autoRelease: z.object({ branches: z.array(z.string()) }).nullable(),
  /** The last successful release: what should be serving. */
  running: releaseJsonSchema.nullable(),
  /** The newest release, whatever its state. */
  latest: releaseJsonSchema.nullable(),
  /**
   * With an observation (`healthSource: observed`): what an agent saw on the engine —
   * healthy | degraded (some replicas not healthy) | down (none running) | unknown (no report
   * within SLIPWAY_OBSERVATION_STALE: the agent is not reporting). Without one
   * (`healthSource: release`): the result of the last release, as before.
   */
  health: z.enum(HEALTHS),
  healthSource: z.enum(['observed', 'release']),
  /** Replicas of the running release (what was asked for). */
  replicas: z.number().int(),
  /** The latest observation reported by an agent, null when none ever was. */
  observed: observedJsonSchema.nullable(),
});
export type EnvironmentJson = z.infer<typeof environmentJsonSchema>;

export const applicationJsonSchema = z.object({
  name: z.string(),
  createdAt: z.number(),
  environments: z.array(environmentJsonSchema),
});
export type ApplicationJson = z.infer<typeof applicationJsonSchema>;

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
    health: observed ? deriveObservedHealth(observed, clock.now, clock.staleMs) : health(running, latest),
    healthSource: observed ? 'observed' : 'release',
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
