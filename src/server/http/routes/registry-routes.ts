import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RegistryCheckJson, RegistryInput, RegistryJson } from '../../../api/images.js';
import type { ServerContext } from '../../context.js';
import { createOutboundPolicy } from '../../git/outbound-policy.js';
import { checkRegistry } from '../../images/registry-check.js';
import {
  addRegistry,
  listRegistries,
  type RegistryScope,
  registryWithPassword,
  removeRegistry,
} from '../../images/registry-service.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const IdParams = z.object({ id: z.string().max(100) });
const ProjectIdParams = PROJECT_PARAM.extend({ id: z.string().max(100) });
const GLOBAL: RegistryScope = { kind: 'global' };
/** Bound of each request of a connection check. */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * Container registries and their credentials: global ones (admin) serve every project, a
 * project's own (maintainer) win over a global entry of the same host. Passwords are write-only
 * (security rule 6): sealed before they are stored, never in a response, an error or a log line;
 * only an agent leasing a build of the project receives them.
 */
export function registerRegistryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const policy = createOutboundPolicy({ allowlist: ctx.config.outboundAllowlist });
  const check = { policy, timeoutMs: CHECK_TIMEOUT_MS };
  // A registry's host is a user-chosen destination (rule 11): refused unless public or allowlisted.
  const adding = { db: ctx.db, secretBox: ctx.secretBox, now: ctx.now, outbound: policy };

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/registries',
    summary: 'Global registries (never their passwords)',
    tags: ['registries'],
    response: z.array(RegistryJson),
    handler: async (_input, req) => {
      requireRole(req, 'admin');
      return listRegistries(ctx, GLOBAL);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/registries',
    summary: 'Add a global registry, or replace the credentials of its host',
    tags: ['registries'],
    status: 201,
    body: RegistryInput,
    response: RegistryJson,
    handler: async ({ body }, req) => {
      const who = requireRole(req, 'admin');
      return addRegistry(adding, GLOBAL, body, who.username);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/registries/:id',
    summary: 'Remove a global registry',
    tags: ['registries'],
    status: 204,
    params: IdParams,
    handler: async ({ params }, req) => {
      requireRole(req, 'admin');
      await removeRegistry(ctx, GLOBAL, params.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/registries/:id/check',
    summary: 'Try the credentials of a global registry (GET /v2/): ok, unauthorized, unreachable or refused',
    tags: ['registries'],
    params: IdParams,
    response: RegistryCheckJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'admin');
      return checkRegistry(await registryWithPassword(ctx, GLOBAL, params.id), check);
    },
  });

  const projectScope = async (name: string): Promise<RegistryScope> => {
    const project = await findProject(ctx.db, name);
    return { kind: 'project', id: project.id, name: project.name };
  };

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/registries',
    summary: 'Registries the project’s builds push with: its own, then global ones for other hosts',
    tags: ['registries'],
    params: PROJECT_PARAM,
    response: z.array(RegistryJson),
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const own = await listRegistries(ctx, await projectScope(params.project));
      const hosts = new Set(own.map((r) => r.host));
      const inherited = (await listRegistries(ctx, GLOBAL)).filter((r) => !hosts.has(r.host));
      return [...own, ...inherited];
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/registries',
    summary: 'Add a registry to the project, or replace the credentials of its host',
    tags: ['registries'],
    status: 201,
    params: PROJECT_PARAM,
    body: RegistryInput,
    response: RegistryJson,
    handler: async ({ params, body }, req) => {
      const who = requireRole(req, 'maintainer');
      return addRegistry(adding, await projectScope(params.project), body, who.username);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/registries/:id',
    summary: 'Remove a registry of the project',
    tags: ['registries'],
    status: 204,
    params: ProjectIdParams,
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      await removeRegistry(ctx, await projectScope(params.project), params.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/registries/:id/check',
    summary: 'Try the credentials of a registry of the project (GET /v2/)',
    tags: ['registries'],
    params: ProjectIdParams,
    response: RegistryCheckJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const scope = await projectScope(params.project);
      return checkRegistry(await registryWithPassword(ctx, scope, params.id), check);
    },
  });
}
