import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type EnvironmentConfig, environmentConfigSchema } from '../../api/environment-config.js';
import type { JobResultMessage } from '../../protocol/agent-protocol.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import { publishRunChange } from '../runs/run-events.js';
import type { EventBus, RunService } from '../services.js';
import type { ApplicationRow, Database, EnvironmentRow, ProjectRow, ReleaseRow } from '../store/tables.js';
import { writeAudit } from './audit-log.js';
import { digestOf } from './image-ref.js';
import {
  applyReleaseResult,
  OPEN_RELEASE,
  recordReleaseEvent,
  syncReleasesWithRun,
} from './release-progress.js';
import { insertReleaseRun, RELEASE_JOB } from './release-run.js';
import { servingReleaseNow } from './serving-release.js';

type Trx = Transaction<Database>;

export interface ReleaseServiceDeps {
  db: Kysely<Database>;
  now: () => number;
  events: EventBus;
  deliveries: DeliveryEventBus;
  runs: Pick<RunService, 'playJob'>;
}

/** Where a release starts: an application's environment of a project, and who asks. */
export interface ReleaseTarget {
  project: ProjectRow;
  app: ApplicationRow;
  env: EnvironmentRow;
  actor: string;
}

export interface NewRelease {
  image: string | null;
  digest: string | null;
  config: EnvironmentConfig;
  configVersion: number;
  replicas: number;
  trigger: ReleaseRow['trigger'];
  rollbackOf?: string;
  promotedFrom?: string;
  source?: { runId: string; sha: string; ref: { kind: 'branch' | 'tag'; name: string } };
  /** false for scale and rollback: an approval gate is about new versions. */
  gated: boolean;
  /** Replaces the environment's config (and bumps its version) in the same transaction. */
  environmentConfig?: EnvironmentConfig;
}

const OPEN = OPEN_RELEASE;

/**
 * Deploy, promote, rollback, scale and approve. Each one records a release and creates the
 * release run that an agent executes, in one transaction with its audit row; results come back
 * through `applyJobResult` / `syncWithRun` (release-progress.ts), which release-follow-up.ts calls
 * for the delivery events of their runs.
 */
export class ReleaseService {
  constructor(readonly deps: ReleaseServiceDeps) {}

  /** A manual (or automatic) release of a given image reference. */
  async deploy(
    t: ReleaseTarget,
    image: string,
    opts: { trigger: 'manual' | 'auto'; source?: NewRelease['source'] } = { trigger: 'manual' },
  ): Promise<ReleaseRow> {
    const config = configOf(t.env);
    return this.release(t, `release.${opts.trigger === 'auto' ? 'auto' : 'deploy'}`, {
      image,
      digest: digestOf(image),
      config,
      configVersion: t.env.config_version,
      replicas: config.replicas,
      trigger: opts.trigger,
      gated: true,
      ...(opts.source ? { source: opts.source } : {}),
    });
  }

  /** The image of `fromEnv`'s last successful release — the same digest — into `t.env`. */
  async promote(t: ReleaseTarget, fromEnv: EnvironmentRow): Promise<ReleaseRow> {
    if (fromEnv.id === t.env.id) throw invalid('body.from', 'body.from: promote from another environment');
    const source = await servingReleaseNow(this.deps.db, fromEnv.id);
    if (!source?.image) {
      throw conflict(
        `environment "${fromEnv.name}" has no successful release to promote`,
        'no_release_to_promote',
        { env: fromEnv.name },
      );
    }
    if (t.env.requires_approval === 1 && !source.digest) {
      throw conflict(
        `release #${source.number} in "${fromEnv.name}" runs ${source.image}, not a digest-pinned image; ` +
          `only a pushed image (repo@sha256:…) can be promoted into the approval-gated "${t.env.name}"`,
        'not_digest_pinned',
        { release: source.number, env: fromEnv.name, image: source.image, target: t.env.name },
      );
    }
    const config = configOf(t.env);
    return this.release(t, 'release.promote', {
      image: source.image,
      digest: source.digest,
      config,
      configVersion: t.env.config_version,
      replicas: config.replicas,
      trigger: 'promote',
      promotedFrom: source.id,
      gated: true,
      ...(source.source_run_id && source.source_sha
        ? { source: await sourceOf(this.deps.db, source.source_run_id, source.source_sha) }
        : {}),
    });
  }

  /** Back to an earlier successful release of the environment: its image and its config. */
  async rollback(t: ReleaseTarget, number: number): Promise<ReleaseRow> {
    const target = await this.deps.db
      .selectFrom('releases')
      .selectAll()
      .where('application_id', '=', t.app.id)
      .where('number', '=', number)
      .executeTakeFirst();
    if (!target || target.environment_id !== t.env.id) {
      throw notFound(`release #${number} of ${t.app.name}/${t.env.name}`);
    }
    if (target.status !== 'succeeded' || !target.image) {
      throw conflict(
        `release #${number} is ${target.status}; only a successful release can be rolled back to`,
        'not_rollback_target',
        { release: number, status: target.status },
      );
    }
    const config = environmentConfigSchema.parse(JSON.parse(target.config));
    return this.release(t, 'release.rollback', {
      image: target.image,
      digest: target.digest,
      config,
      configVersion: target.config_version,
      replicas: target.replicas,
      trigger: 'rollback',
      rollbackOf: target.id,
      gated: false,
    });
  }

  /** New replica count for what runs (no new image); it becomes the environment's setting. */
  async scale(t: ReleaseTarget, replicas: number): Promise<ReleaseRow> {
    const current = await servingReleaseNow(this.deps.db, t.env.id);
    if (!current) {
      throw conflict(
        `${t.app.name}/${t.env.name} has no successful release to scale`,
        'no_release_to_scale',
        {
          target: `${t.app.name}/${t.env.name}`,
        },
      );
    }
    const config = { ...configOf(t.env), replicas };
    return this.release(t, 'release.scale', {
      image: current.image,
      digest: current.digest,
      config: environmentConfigSchema.parse(JSON.parse(current.config)),
      configVersion: t.env.config_version + 1,
      replicas,
      trigger: 'scale',
      gated: false,
      // The new count is the environment's from now on, so the next deploy keeps it.
      environmentConfig: config,
    });
  }

  /** Plays the waiting deploy job of the release run (the route has checked the role). */
  async approve(t: ReleaseTarget, number: number): Promise<ReleaseRow> {
    const release = await this.deps.db
      .selectFrom('releases')
      .selectAll()
      .where('application_id', '=', t.app.id)
      .where('number', '=', number)
      .executeTakeFirst();
    if (!release || release.environment_id !== t.env.id) {
      throw notFound(`release #${number} of ${t.app.name}/${t.env.name}`);
    }
    if (release.status !== 'awaiting_approval' || !release.release_run_id || !release.release_job) {
      throw conflict(
        `release #${number} is ${release.status}; only a release awaiting approval can be approved`,
        'not_awaiting_approval',
        { release: number, status: release.status },
      );
    }
    if (release.actor === t.actor && environmentConfigSchema.parse(JSON.parse(t.env.config)).fourEyes) {
      throw forbidden(
        `release #${number} was requested by ${t.actor}; ${t.app.name}/${t.env.name} needs another person's approval (four-eyes rule)`,
        'four_eyes',
        { actor: t.actor, target: `${t.app.name}/${t.env.name}`, release: number },
      );
    }
    await this.deps.runs.playJob(release.release_run_id, release.release_job, t.actor);
    const now = this.deps.now();
    await this.deps.deliveries.transact(this.deps.db, this.deps.now, async (trx, record) => {
      const granted = await trx
        .updateTable('releases')
        .set({ status: 'queued' })
        .where('id', '=', release.id)
        .where('status', '=', 'awaiting_approval')
        .returningAll()
        .executeTakeFirst();
      if (granted) await recordReleaseEvent(trx, record, granted, 'approval.granted', t.actor);
      await writeAudit(trx, now, {
        actor: t.actor,
        action: 'release.approve',
        projectId: t.project.id,
        target: `${t.app.name}/${t.env.name}#${number}`,
        detail: { release: number, image: release.image },
      });
    });
    return { ...release, status: 'queued' };
  }

  /** A deploy job reported its end (from the agent's job result). Idempotent. */
  applyJobResult(runId: string, job: JobResultMessage): Promise<void> {
    return applyReleaseResult(this.deps, runId, job);
  }

  /** Brings open releases of a run in line with their jobs (release-progress.ts). */
  syncWithRun(runId: string): Promise<void> {
    return syncReleasesWithRun(this.deps, runId);
  }

  /** Syncs every open release of an application (a release run canceled while queued, …). */
  async syncApplication(applicationId: string): Promise<void> {
    const runs = await this.deps.db
      .selectFrom('releases')
      .select('release_run_id')
      .distinct()
      .where('application_id', '=', applicationId)
      .where('status', 'in', OPEN)
      .execute();
    for (const { release_run_id } of runs) if (release_run_id) await this.syncWithRun(release_run_id);
  }

  /** Records a release and its run, with the audit row, in one transaction. */
  private async release(t: ReleaseTarget, action: string, r: NewRelease): Promise<ReleaseRow> {
    const now = this.deps.now();
    const awaitApproval = r.gated && t.env.requires_approval === 1;
    const { release, runId } = await this.deps.deliveries.transact(
      this.deps.db,
      () => now,
      async (trx, record) => {
        if (r.environmentConfig) {
          await trx
            .updateTable('environments')
            .set({
              config: JSON.stringify(r.environmentConfig),
              config_version: r.configVersion,
              updated_at: now,
            })
            .where('id', '=', t.env.id)
            .execute();
        }
        const number = await allocateReleaseNumber(trx, t.app.id);
        const run = await insertReleaseRun(trx, {
          project: t.project,
          app: t.app.name,
          env: t.env.name,
          releaseNumber: number,
          image: r.image,
          awaitApproval,
          actor: t.actor,
          source: r.source ? { ref: r.source.ref, sha: r.source.sha } : null,
          now,
        });
        const release: ReleaseRow = {
          id: randomUUID(),
          application_id: t.app.id,
          environment_id: t.env.id,
          number,
          image: r.image,
          digest: r.digest,
          config: JSON.stringify(r.config),
          config_version: r.configVersion,
          replicas: r.replicas,
          source_run_id: r.source?.runId ?? null,
          source_sha: r.source?.sha ?? null,
          release_run_id: run.id,
          release_job: RELEASE_JOB,
          trigger: r.trigger,
          actor: t.actor,
          status: awaitApproval ? 'awaiting_approval' : 'queued',
          reason: null,
          created_at: now,
          started_at: null,
          finished_at: null,
          rollback_of: r.rollbackOf ?? null,
          promoted_from: r.promotedFrom ?? null,
        };
        await trx.insertInto('releases').values(release).execute();
        if (awaitApproval) await recordReleaseEvent(trx, record, release, 'approval.requested');
        await writeAudit(trx, now, {
          actor: t.actor,
          action,
          projectId: t.project.id,
          target: `${t.app.name}/${t.env.name}#${number}`,
          detail: {
            release: number,
            image: r.image,
            digest: r.digest,
            replicas: r.replicas,
            configVersion: r.configVersion,
            run: run.number,
            ...(awaitApproval ? { awaitingApproval: true } : {}),
          },
        });
        return { release, runId: run.id };
      },
    );
    await publishRunChange(this.deps.db, this.deps.events, runId, 'all');
    return release;
  }
}

/** Per-application release numbers, allocated like run numbers (no gaps, no repeats). */
export async function allocateReleaseNumber(trx: Trx, applicationId: string): Promise<number> {
  const row = await trx
    .insertInto('counters')
    .values({ key: `release:${applicationId}`, value: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<number>`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

export function configOf(env: EnvironmentRow): EnvironmentConfig {
  return environmentConfigSchema.parse(JSON.parse(env.config));
}

async function sourceOf(db: Kysely<Database>, runId: string, sha: string): Promise<NewRelease['source']> {
  const run = await db
    .selectFrom('runs')
    .select(['ref_kind', 'ref_name'])
    .where('id', '=', runId)
    .executeTakeFirst();
  return {
    runId,
    sha,
    ref: { kind: run?.ref_kind === 'tag' ? 'tag' : 'branch', name: run?.ref_name ?? '' },
  };
}
