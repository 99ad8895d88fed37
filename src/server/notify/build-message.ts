import type { Kysely } from 'kysely';
import type { StoredDeliveryEvent } from '../events/delivery-events.js';
import { loadRunView } from '../runs/run-events.js';
import { toRunSummary } from '../runs/run-json.js';
import type { Database } from '../store/tables.js';
import {
  type NotificationMessage,
  type ReleasePart,
  type RunPart,
  releaseReasonParamsSchema,
} from './notification-message.js';

/** Where links in messages point: the public URL, or the address the server listens on. */
export function linkBase(config: { publicUrl: string | null; host: string; port: number }): string {
  return config.publicUrl ?? `http://${config.host}:${config.port}`;
}

export function runLink(base: string, project: string, number: number): string {
  return `${base}/projects/${encodeURIComponent(project)}/runs/${number}`;
}

/** The run as messages show it; null when it is gone. */
export async function runPart(
  db: Kysely<Database>,
  runId: string,
): Promise<{ project: string; run: RunPart; refKind: string; refName: string } | null> {
  const view = await loadRunView(db, runId);
  if (!view) return null;
  const summary = toRunSummary(view.run, view.projectName, view.jobs);
  return {
    project: view.projectName,
    refKind: view.run.ref_kind,
    refName: view.run.ref_name,
    run: {
      number: summary.number,
      record: summary.record,
      status: summary.status,
      actor: summary.actor,
      trigger: summary.trigger,
      ref: summary.ref.name,
      sha: summary.sha,
      durationMs: summary.durationMs,
      stages: summary.stages.map((s) => ({ name: s.name, status: s.status })),
      failure: summary.failure?.message || summary.failure?.reason || null,
      ...(summary.failure
        ? { failureCode: { reason: summary.failure.reason, params: summary.failure.params } }
        : {}),
    },
  };
}

/**
 * "Fixed": the run succeeded and the run before it on the same branch (or tag, or pull
 * request) that ended succeeded or failed had failed — the first green after red.
 */
export async function isFixed(db: Kysely<Database>, runId: string): Promise<boolean> {
  const run = await db
    .selectFrom('runs')
    .select(['project_id', 'number', 'ref_kind', 'ref_name', 'status'])
    .where('id', '=', runId)
    .executeTakeFirst();
  if (run?.status !== 'succeeded') return false;
  const previous = await db
    .selectFrom('runs')
    .select('status')
    .where('project_id', '=', run.project_id)
    .where('ref_kind', '=', run.ref_kind)
    .where('ref_name', '=', run.ref_name)
    .where('number', '<', run.number)
    .where('status', 'in', ['succeeded', 'failed'])
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return previous?.status === 'failed';
}

type ReleaseEvent = Extract<
  StoredDeliveryEvent,
  { type: 'release.succeeded' | 'release.failed' | 'release.rolled_back' | 'approval.requested' }
>;

/** The release as messages show it, with its application and environment names. */
export async function releasePart(db: Kysely<Database>, event: ReleaseEvent): Promise<ReleasePart> {
  const [app, env, release, coded] = await Promise.all([
    db
      .selectFrom('applications')
      .select('name')
      .where('id', '=', event.data.applicationId)
      .executeTakeFirst(),
    db
      .selectFrom('environments')
      .select('name')
      .where('id', '=', event.data.environmentId)
      .executeTakeFirst(),
    event.releaseId
      ? db
          .selectFrom('releases')
          .select(['actor', 'started_at', 'finished_at'])
          .where('id', '=', event.releaseId)
          .executeTakeFirst()
      : Promise.resolve(undefined),
    // The reason's code and parameters, written in the transaction that ended the release.
    event.releaseId
      ? db
          .selectFrom('release_reasons')
          .select(['code', 'params'])
          .where('release_id', '=', event.releaseId)
          .executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  const started = release?.started_at ?? null;
  const finished = release?.finished_at ?? null;
  return {
    number: event.data.number,
    application: app?.name ?? event.data.applicationId,
    environment: env?.name ?? event.data.environmentId,
    image: event.data.image,
    trigger: event.data.trigger,
    actor: release?.actor ?? '',
    reason: event.data.reason,
    ...reasonCodeOf(coded),
    durationMs: started !== null && finished !== null ? Math.max(0, finished - started) : null,
  };
}

/** A stored reason code with its parameters (scalars only); the code alone if they do not parse. */
function reasonCodeOf(
  row: { code: string; params: string } | undefined,
): Pick<ReleasePart, 'reasonCode' | 'reasonParams'> {
  if (!row) return {};
  const parsed = releaseReasonParamsSchema.safeParse(parseJson(row.params));
  return parsed.success ? { reasonCode: row.code, reasonParams: parsed.data } : { reasonCode: row.code };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function releaseMessage(
  base: string,
  project: string,
  event: ReleaseEvent,
  release: ReleasePart,
): NotificationMessage {
  return {
    event: event.type,
    project,
    url: `${base}/projects/${encodeURIComponent(project)}/apps`,
    at: event.occurredAt,
    release,
  };
}
