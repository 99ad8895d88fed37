import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.js';
import { deleteUserSessions } from '../../auth/sessions.js';
import { countAdmins, createUser, findUser, PASSWORD, ROLE, USERNAME, userJson } from '../../auth/users.js';
import type { ServerContext } from '../../context.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { UserRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const User = z.object({ username: z.string(), role: ROLE, createdAt: z.number() });
const UsernameParam = z.object({ username: z.string().max(64) });

/** User administration (admins only). The last admin can be neither demoted nor deleted. */
export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const load = async (username: string): Promise<UserRow> => {
    const user = await findUser(ctx.db, username);
    if (!user) throw notFound(`user "${username}"`);
    return user;
  };
  const keepOneAdmin = async (user: UserRow) => {
    if (user.role === 'admin' && (await countAdmins(ctx.db)) <= 1) {
      throw conflict(`"${user.username}" is the last admin; make another user admin first`);
    }
  };

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/users',
    summary: 'All users',
    tags: ['users'],
    response: z.array(User),
    handler: async (_input, req) => {
      requireRole(req, 'admin');
      const rows = await ctx.db
        .selectFrom('users')
        .select(['username', 'role', 'created_at'])
        .orderBy('username')
        .execute();
      return rows.map(userJson);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/users',
    summary: 'Create a user',
    tags: ['users'],
    status: 201,
    body: z.object({ username: USERNAME, password: PASSWORD, role: ROLE }),
    response: User,
    handler: async ({ body }, req) => {
      requireRole(req, 'admin');
      return userJson(await createUser(ctx.db, body, ctx.now()));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PATCH',
    url: '/api/users/:username',
    summary: 'Change a user’s role or password (a new password signs them out everywhere)',
    tags: ['users'],
    params: UsernameParam,
    body: z.object({ role: ROLE.optional(), password: PASSWORD.optional() }),
    response: User,
    handler: async ({ params, body }, req) => {
      requireRole(req, 'admin');
      if (body.role === undefined && body.password === undefined) {
        throw invalid('body', 'body: give a role, a password, or both');
      }
      const user = await load(params.username);
      if (body.role !== undefined && body.role !== 'admin') await keepOneAdmin(user);
      const password_hash = body.password !== undefined ? await hashPassword(body.password) : undefined;
      await ctx.db
        .updateTable('users')
        .set({ ...(body.role ? { role: body.role } : {}), ...(password_hash ? { password_hash } : {}) })
        .where('id', '=', user.id)
        .execute();
      if (password_hash) await deleteUserSessions(ctx.db, user.id, ctx.now());
      return userJson({ ...user, role: body.role ?? user.role });
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/users/:username',
    summary: 'Delete a user with their sessions and tokens',
    tags: ['users'],
    status: 204,
    params: UsernameParam,
    handler: async ({ params }, req) => {
      requireRole(req, 'admin');
      const user = await load(params.username);
      await keepOneAdmin(user);
      // Sessions and tokens go with the user (ON DELETE CASCADE).
      await ctx.db.deleteFrom('users').where('id', '=', user.id).execute();
    },
  });
}
