import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { forbidden, notFound, unauthorized } from '../errors.js';
import type { ProjectRow } from '../store/tables.js';
import type { ProjectRole } from '../store/tables-access.js';
import { projectRoleAtLeast, projectRoleOf, type Reader } from './project-access.js';

/** Set on requests to project routes once the guard has let them through. */
export interface ProjectAccess {
  project: ProjectRow;
  /** The caller's effective role in it (never below what the route needs). */
  role: ProjectRole;
  /** What the route declared (RouteSpec.projectRole), or the default for its method. */
  required: ProjectRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    projectAccess: ProjectAccess | null;
  }
  interface FastifyContextConfig {
    /** The project role a `/api/projects/:project…` route needs (access/project-guard.ts). */
    projectRole?: ProjectRole;
  }
}

/** Every route whose pattern names a project by `:project` is guarded (pattern, not raw URL). */
export function isProjectRoute(pattern: string): boolean {
  return pattern === '/api/projects/:project' || pattern.startsWith('/api/projects/:project/');
}

/**
 * What a route needs when it does not say: reading is the viewer's, anything that changes
 * something the maintainer's — so a route added later without a declaration fails closed.
 */
export function defaultProjectRole(method: string): ProjectRole {
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'maintainer';
}

/**
 * One check in front of every project route, decided on the matched route pattern before the
 * body is read or validated: a project the caller may not read answers exactly like a missing
 * one (404, same message; the membership lookup runs in both cases so the timing is alike;
 * anonymous callers get 401 for every name while public projects are off),
 * a readable project where the route needs more answers 401 (anonymous) or 403.
 * Registered after authentication (the principal is known) and before any route.
 */
export function installProjectGuard(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('projectAccess', null);
  // The full route table, so a test can prove that no project route escapes the guard.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) ctx.routes.served.push({ method, url: route.url });
  });
  app.addHook('onRequest', async (req) => {
    const pattern = req.routeOptions.url;
    if (!pattern || !isProjectRoute(pattern)) return;
    const name = (req.params as { project?: unknown }).project;
    const required = req.routeOptions.config.projectRole ?? defaultProjectRole(req.method);
    req.projectAccess = await checkProjectAccess(ctx, req, typeof name === 'string' ? name : '', required);
  });
}

export async function checkProjectAccess(
  ctx: Pick<ServerContext, 'db' | 'config'>,
  req: FastifyRequest,
  name: string,
  required: ProjectRole,
): Promise<ProjectAccess> {
  // With public projects off nobody reads anything anonymously: "sign in", alike for every name.
  if (!req.principal && !ctx.config.allowPublicProjects) throw unauthorized();
  const project = await ctx.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
  const reader: Reader | null = req.principal
    ? { userId: req.principal.userId, role: req.principal.role }
    : null;
  const policy = { allowPublic: ctx.config.allowPublicProjects };
  // A missing project costs the same lookups as a hidden one.
  const role = await projectRoleOf(ctx.db, reader, project ?? { id: '', visibility: 'private' }, policy);
  if (!project || role === null) throw notFound(`project "${name}"`);
  if (!projectRoleAtLeast(role, required)) {
    if (!req.principal) throw unauthorized();
    throw forbidden(`this needs the ${required} role in project "${name}"; you are ${role}`);
  }
  if (req.principal?.mustChangePassword) {
    throw forbidden('password_change_required: set your own password first (PUT /api/me/password)');
  }
  return { project, role, required };
}
