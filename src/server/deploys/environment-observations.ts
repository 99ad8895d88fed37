/**
 * The server half of observed environment health: an agent's report (everything its deploy
 * targets run) is matched to environments by project *name*, application and environment
 * names from the labels — what is unknown here is ignored — and stored as the latest
 * observation per environment. An environment this agent reported before and no longer does
 * is recorded as nothing running. A change of health emits an `environment` project event.
 */
import type { Kysely } from 'kysely';
import type { EnvironmentEventData } from '../../api/events.js';
import type {
  EnvironmentReportAnswer,
  EnvironmentReportMessage,
  ObservedEnvironmentMessage,
} from '../../protocol/agent-protocol.js';
import type { EventBus } from '../services.js';
import type { Database, EnvironmentObservationRow } from '../store/tables.js';
import { deriveObservedHealth } from './observed-health.js';
import { environmentsToRemove } from './removed-environments.js';

export interface ObservationDeps {
  db: Kysely<Database>;
  events: EventBus;
  now: () => number;
  staleMs: number;
}

export type { EnvironmentEventData };

interface EnvironmentMatch {
  environment_id: string;
  project_id: string;
  app: string;
  env: string;
}

export async function recordEnvironmentReport(
  deps: ObservationDeps,
  agentId: string,
  report: EnvironmentReportMessage,
): Promise<EnvironmentReportAnswer> {
  const now = deps.now();
  const matches = await matchEnvironments(deps.db, report.environments);
  const previous = await deps.db
    .selectFrom('environment_observations')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('agent_id', '=', agentId),
        ...(matches.size > 0
          ? [
              eb(
                'environment_id',
                'in',
                [...matches.values()].map((m) => m.match.environment_id),
              ),
            ]
          : []),
      ]),
    )
    .execute();
  const before = new Map(previous.map((r) => [r.environment_id, r]));
  const seen = new Set<string>();
  const changes: { row: EnvironmentObservationRow; match: Pick<EnvironmentMatch, 'app' | 'env'> }[] = [];
  for (const { match, observed } of matches.values()) {
    seen.add(match.environment_id);
    changes.push({
      match,
      row: {
        environment_id: match.environment_id,
        project_id: match.project_id,
        agent_id: agentId,
        observed_at: now,
        running: observed.replicas.running,
        healthy: observed.replicas.healthy,
        desired: observed.replicas.desired,
        image: observed.image,
        release_id: observed.releaseId,
        health: '',
      },
    });
  }
  // Reported by this agent before, absent now: its containers or service are gone.
  const gone = previous.filter((r) => r.agent_id === agentId && !seen.has(r.environment_id));
  const names = await environmentNames(
    deps.db,
    gone.map((r) => r.environment_id),
  );
  for (const r of gone) {
    const name = names.get(r.environment_id);
    if (!name) continue;
    changes.push({
      match: name,
      row: { ...r, observed_at: now, running: 0, healthy: 0, desired: 0, health: '' },
    });
  }
  for (const { row, match } of changes) {
    row.health = deriveObservedHealth(
      { at: row.observed_at, running: row.running, healthy: row.healthy, desired: row.desired },
      now,
      deps.staleMs,
    );
    const old = before.get(row.environment_id);
    await deps.db
      .insertInto('environment_observations')
      .values(row)
      .onConflict((oc) => oc.column('environment_id').doUpdateSet({ ...row }))
      .execute();
    // A stale previous observation announced `unknown` to readers, whatever was stored.
    const oldHealth =
      old &&
      deriveObservedHealth(
        { at: old.observed_at, running: old.running, healthy: old.healthy, desired: old.desired },
        now,
        deps.staleMs,
      ) !== 'unknown'
        ? old.health
        : 'unknown';
    if (!old || oldHealth !== row.health) {
      const data: EnvironmentEventData = { app: match.app, env: match.env, health: row.health };
      deps.events.publish({ type: 'environment', projectId: row.project_id, runId: '', number: 0, data });
    }
  }
  return { remove: await environmentsToRemove(deps.db, report.environments) };
}

/** Reported environments that exist here, keyed by environment id (the last report of one wins). */
async function matchEnvironments(
  db: Kysely<Database>,
  observed: ObservedEnvironmentMessage[],
): Promise<Map<string, { match: EnvironmentMatch; observed: ObservedEnvironmentMessage }>> {
  const result = new Map<string, { match: EnvironmentMatch; observed: ObservedEnvironmentMessage }>();
  const projects = [...new Set(observed.map((o) => o.project))];
  if (projects.length === 0) return result;
  const rows = await db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .innerJoin('projects', 'projects.id', 'applications.project_id')
    .select([
      'environments.id as environment_id',
      'projects.id as project_id',
      'projects.name as project',
      'applications.name as app',
      'environments.name as env',
    ])
    .where('projects.name', 'in', projects)
    .execute();
  const byNames = new Map(rows.map((r) => [JSON.stringify([r.project, r.app, r.env]), r]));
  for (const o of observed) {
    const row = byNames.get(JSON.stringify([o.project, o.app, o.env]));
    if (row) result.set(row.environment_id, { match: row, observed: o });
  }
  return result;
}

async function environmentNames(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, { app: string; env: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .select(['environments.id as id', 'applications.name as app', 'environments.name as env'])
    .where('environments.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { app: r.app, env: r.env }]));
}

/** The observations of some environments, for the applications API. */
export async function observationsOf(
  db: Kysely<Database>,
  environmentIds: string[],
): Promise<Map<string, EnvironmentObservationRow>> {
  if (environmentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('environment_observations')
    .selectAll()
    .where('environment_id', 'in', environmentIds)
    .execute();
  return new Map(rows.map((r) => [r.environment_id, r]));
}
