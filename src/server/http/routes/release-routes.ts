import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type DeployBody,
  deployBodySchema,
  promoteBodySchema,
  ReleaseListSchema,
  releaseJsonSchema,
  rollbackBodySchema,
  scaleBodySchema,
} from '../../../api/releases.js';
import type { ServerContext } from '../../context.js';
import { findApplication, findEnvironment } from '../../deploys/applications-service.js';
import { deployableRef } from '../../deploys/image-ref.js';
import { refuseUnpullableReleaseImage } from '../../deploys/release-image-check.js';
import { toReleaseJsons } from '../../deploys/release-json.js';
import { configOf, ReleaseService, type ReleaseTarget } from '../../deploys/release-service.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { findRunByNumber } from '../../runs/run-lookup.js';
import type { ReleaseRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { appParams, envParams } from './application-routes.js';

/**
 * Release actions (issue #6). Each creates a release executed by an agent as a release run.
 * Slipway has no developer role: deploying is a maintainer action like running a pipeline, and
 * approving an approval-gated release needs maintainer too (viewers get 403 for both).
 */
export function registerReleaseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tags = ['releases'];
  const releases = new ReleaseService({
    db: ctx.db,
    now: ctx.now,
    events: ctx.events,
    deliveries: ctx.deliveries,
    runs: ctx.runs,
  });
  const prefix = '/api/projects/:project/applications/:app/environments/:env';

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: `${prefix}/deploy`,
    projectRole: 'developer',
    summary:
      'Manual release: an image reference, a digest of the environment repository, or the image built by run N',
    tags,
    params: envParams,
    body: deployBodySchema,
    response: releaseJsonSchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const t = await targetOf(ctx, req, params, 'maintainer');
      const image = await imageToDeploy(ctx, t, body);
      const field = body.image ? 'body.image' : body.imageDigest ? 'body.imageDigest' : 'body.runNumber';
      await refuseUnpullableReleaseImage(ctx.config.outboundAllowlist, image.ref, field);
      return jsonOf(ctx, t, await releases.deploy(t, image.ref, { trigger: 'manual', ...image.source }));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: `${prefix}/promote`,
    projectRole: 'developer',
    summary: "Promote the image of another environment's last successful release (same digest) into this one",
    tags,
    params: envParams,
    body: promoteBodySchema,
    response: releaseJsonSchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const t = await targetOf(ctx, req, params, 'maintainer');
      const from = await findEnvironment(ctx.db, t.app, body.from).catch(() => {
        throw invalid(
          'body.from',
          `body.from: application "${t.app.name}" has no environment "${body.from}"`,
        );
      });
      return jsonOf(ctx, t, await releases.promote(t, from));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: `${prefix}/rollback`,
    projectRole: 'developer',
    summary: 'Roll back to an earlier successful release (its image and config), recorded as a new release',
    tags,
    params: envParams,
    body: rollbackBodySchema,
    response: releaseJsonSchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const t = await targetOf(ctx, req, params, 'maintainer');
      return jsonOf(ctx, t, await releases.rollback(t, body.release));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: `${prefix}/scale`,
    projectRole: 'developer',
    summary: 'Change the replica count of what runs (no new image), recorded as a release',
    tags,
    params: envParams,
    body: scaleBodySchema,
    response: releaseJsonSchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const t = await targetOf(ctx, req, params, 'maintainer');
      return jsonOf(ctx, t, await releases.scale(t, body.replicas));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: `${prefix}/releases/:number/approve`,
    summary: 'Approve a release waiting in an approval-gated environment (maintainer or admin)',
    tags,
    params: envParams.extend({ number: z.coerce.number().int().min(1) }),
    response: releaseJsonSchema,
    status: 202,
    handler: async ({ params }, req) => {
      const t = await targetOf(ctx, req, params, 'maintainer');
      return jsonOf(ctx, t, await releases.approve(t, params.number));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/applications/:app/releases',
    summary: 'Release history of an application, newest first (optionally one environment)',
    tags,
    params: appParams,
    query: z.object({
      env: z.string().min(1).max(63).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    response: ReleaseListSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const application = await findApplication(ctx.db, project, params.app);
      await releases.syncApplication(application.id);
      const envs = await ctx.db
        .selectFrom('environments')
        .select(['id', 'name'])
        .where('application_id', '=', application.id)
        .execute();
      let q = ctx.db
        .selectFrom('releases')
        .selectAll()
        .where('application_id', '=', application.id)
        .orderBy('number', 'desc')
        .limit(query.limit);
      if (query.env) {
        const env = envs.find((e) => e.name === query.env);
        if (!env) throw notFound(`environment "${query.env}" of application "${application.name}"`);
        q = q.where('environment_id', '=', env.id);
      }
      const rows = await q.execute();
      return { releases: await toReleaseJsons(ctx.db, rows, new Map(envs.map((e) => [e.id, e.name]))) };
    },
  });
}

async function targetOf(
  ctx: ServerContext,
  req: FastifyRequest,
  params: { project: string; app: string; env: string },
  role: 'maintainer',
): Promise<ReleaseTarget> {
  // The role first: a viewer learns nothing about what exists.
  const principal = requireRole(req, role);
  const project = await findProject(ctx.db, params.project);
  const app = await findApplication(ctx.db, project, params.app);
  const env = await findEnvironment(ctx.db, app, params.env);
  return { project, app, env, actor: principal.username };
}

async function jsonOf(ctx: ServerContext, t: ReleaseTarget, row: ReleaseRow) {
  const [json] = await toReleaseJsons(ctx.db, [row], new Map([[t.env.id, t.env.name]]));
  return json;
}

/** What a manual deploy rolls out, and where it came from when that is known. */
async function imageToDeploy(
  ctx: ServerContext,
  t: ReleaseTarget,
  body: DeployBody,
): Promise<{
  ref: string;
  source?: { source: { runId: string; sha: string; ref: { kind: 'branch' | 'tag'; name: string } } };
}> {
  if (body.image) return { ref: body.image };
  if (body.imageDigest) {
    const repository = configOf(t.env).repository;
    if (!repository) {
      throw invalid(
        'body.imageDigest',
        `body.imageDigest: environment "${t.env.name}" has no config.repository to pin the digest to; give body.image`,
      );
    }
    return { ref: `${repository}@${body.imageDigest}` };
  }
  const run = await findRunByNumber(ctx.db, t.project, body.runNumber as number).catch(() => null);
  if (!run) throw invalid('body.runNumber', `body.runNumber: run #${body.runNumber} does not exist`);
  const built = await builtImageOfRun(ctx, run.id);
  if (!built) {
    throw invalid('body.runNumber', `body.runNumber: run #${run.number} recorded no built image`);
  }
  return {
    ref: built,
    source: {
      source: {
        runId: run.id,
        sha: run.sha,
        ref: { kind: run.ref_kind === 'tag' ? 'tag' : 'branch', name: run.ref_name },
      },
    },
  };
}

/**
 * The image a run built: the release a pipeline deploy job of that run made, else the newest
 * image the images catalogue (migration 005) recorded for it.
 */
async function builtImageOfRun(ctx: ServerContext, runId: string): Promise<string | null> {
  const released = await ctx.db
    .selectFrom('releases')
    .select('image')
    .where('source_run_id', '=', runId)
    .where('image', 'is not', null)
    .orderBy('number', 'desc')
    .executeTakeFirst();
  if (released?.image) return released.image;
  const image = await ctx.db
    .selectFrom('images')
    .select(['repository', 'digest', 'image_id', 'pushed'])
    .where('run_id', '=', runId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!image) return null;
  return deployableRef({
    repository: image.repository,
    digest: image.digest,
    imageId: image.image_id,
    pushed: image.pushed === 1,
  });
}
