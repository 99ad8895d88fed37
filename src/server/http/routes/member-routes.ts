import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { membersJsonSchema as MembersJson } from '../../../api/accounts.js';
import {
  listMembers,
  putMember,
  refusePublicUnlessAllowed,
  removeMember,
  setVisibility,
} from '../../access/project-members.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import { PROJECT_ROLES, VISIBILITIES } from '../../store/tables-access.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const ROLE = z.enum(PROJECT_ROLES as ['viewer', 'developer', 'maintainer']);
const VISIBILITY = z.enum(VISIBILITIES as ['private', 'internal', 'public']);
const MemberParam = PROJECT_PARAM.extend({ username: z.string().min(1).max(64) });

/**
 * Who may do what in a project (issue #14): its visibility and its members. Whoever reads the
 * project reads its members; its maintainers change them (the guard decides, project-guard.ts).
 */
export function registerMemberRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tags = ['access'];
  const deps = { db: ctx.db, now: ctx.now };

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/members',
    summary: 'The visibility of the project and its members with their project roles',
    tags,
    params: PROJECT_PARAM,
    response: MembersJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      return {
        visibility: project.visibility ?? 'internal',
        publicAllowed: ctx.config.allowPublicProjects,
        myRole: req.projectAccess?.role ?? 'viewer',
        members: await listMembers(ctx.db, project.id),
      };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url: '/api/projects/:project/members/:username',
    summary: 'Add a member with a project role (viewer, developer, maintainer) or change their role',
    tags,
    params: MemberParam,
    body: z.object({ role: ROLE }).strict(),
    projectRole: 'maintainer',
    handler: async ({ params, body }, req, reply) => {
      const me = requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      const { created } = await putMember(deps, project, params.username, body.role, me.username);
      reply.code(created ? 201 : 200);
      return reply.send({ username: params.username, role: body.role });
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/members/:username',
    summary: 'Remove a member (what visibility grants them stays)',
    tags,
    params: MemberParam,
    status: 204,
    projectRole: 'maintainer',
    handler: async ({ params }, req) => {
      const me = requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      if (!(await removeMember(deps, project, params.username, me.username))) {
        throw notFound(`member "${params.username}" of project "${project.name}"`);
      }
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url: '/api/projects/:project/visibility',
    summary: 'Who reads the project besides its members: private, internal (signed-in users) or public',
    tags,
    params: PROJECT_PARAM,
    body: z.object({ visibility: VISIBILITY }).strict(),
    response: z.object({ visibility: VISIBILITY }),
    projectRole: 'maintainer',
    handler: async ({ params, body }, req) => {
      const me = requireRole(req, 'maintainer');
      refusePublicUnlessAllowed(body.visibility, ctx.config.allowPublicProjects, 'body.visibility');
      const project = await findProject(ctx.db, params.project);
      const after = await setVisibility(deps, project, body.visibility, me.username);
      return { visibility: after.visibility ?? 'internal' };
    },
  });
}
