import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ImageHistoryJson, ImagesJson } from '../../../api/images.js';
import type { ServerContext } from '../../context.js';
import { listImages, listImageVersions } from '../../images/image-catalogue.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** Repository names contain `/` and `:` (`127.0.0.1:5000/team/api`), so they go in the query. */
const VersionsQuery = z.object({
  repository: z.string().min(1).max(512),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** The image catalogue (镜像仓库): what the project's build jobs produced, by repository and tag. */
export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/images',
    summary:
      'Repositories with their current tags: digest, size, when, and the run and commit that built them',
    tags: ['images'],
    params: PROJECT_PARAM,
    response: ImagesJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      return listImages(ctx.db, project.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/images/versions',
    summary: 'Every recorded version of one repository (re-pushed tags included), newest first',
    tags: ['images'],
    params: PROJECT_PARAM,
    query: VersionsQuery,
    response: ImageHistoryJson,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      return listImageVersions(ctx.db, project.id, query.repository, query.limit);
    },
  });
}
