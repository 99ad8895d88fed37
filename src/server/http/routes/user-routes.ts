import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { userJsonSchema as User } from '../../../api/accounts.js';
import { hashPassword } from '../../auth/passwords.js';
import { deleteUserSessions } from '../../auth/sessions.js';
import { countAdmins, createUser, findUser, PASSWORD, ROLE, USERNAME, userJson } from '../../auth/users.js';
import type { ServerContext } from '../../context.js';
import { writeAudit } from '../../deploys/audit-log.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { UserRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

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
        .select(['username', 'role', 'created_at', 'disabled_at', 'must_change_password'])
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
    body: z.object({
      username: USERNAME,
      password: PASSWORD,
      role: ROLE,
      /** The admin chose the password: ask its owner for their own at first sign-in. */
      mustChangePassword: z.boolean().default(false),
    }),
    response: User,
    handler: async ({ body }, req) => {
      const admin = requireRole(req, 'admin');
      const user = await createUser(ctx.db, body, ctx.now());
      await writeAudit(ctx.db, ctx.now(), {
        actor: admin.username,
        action: 'user.create',
        projectId: null,
        target: user.username,
        detail: { role: user.role },
      });
      return userJson(user);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PATCH',
    url: '/api/users/:username',
    summary:
      'Change a user’s role, reset their password (they must choose a new one at next sign-in unless mustChangePassword is false), or disable/enable them; a reset or disable signs them out everywhere',
    tags: ['users'],
    params: UsernameParam,
    body: z.object({
      role: ROLE.optional(),
      password: PASSWORD.optional(),
      mustChangePassword: z.boolean().optional(),
      disabled: z.boolean().optional(),
    }),
    response: User,
    handler: async ({ params, body }, req) => {
      const admin = requireRole(req, 'admin');
      if (Object.values(body).every((v) => v === undefined)) {
        throw invalid('body', 'body: give a role, a password, mustChangePassword or disabled');
      }
      const user = await load(params.username);
      if (body.role !== undefined && body.role !== 'admin') await keepOneAdmin(user);
      if (body.disabled === true) {
        if (user.id === admin.userId) throw conflict('you cannot disable your own account');
        await keepOneAdmin(user);
      }
      const password_hash = body.password !== undefined ? await hashPassword(body.password) : undefined;
      // A password an admin chose is known to two people: by default its owner must replace it.
      const mustChange = body.mustChangePassword ?? (password_hash ? true : undefined);
      const disabledAt = body.disabled === undefined ? undefined : body.disabled ? ctx.now() : null;
      const updated = await ctx.db
        .updateTable('users')
        .set({
          ...(body.role ? { role: body.role } : {}),
          ...(password_hash ? { password_hash } : {}),
          ...(mustChange !== undefined ? { must_change_password: mustChange ? 1 : 0 } : {}),
          ...(disabledAt !== undefined && (disabledAt === null || user.disabled_at === null)
            ? { disabled_at: disabledAt }
            : {}),
        })
        .where('id', '=', user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (password_hash || body.disabled === true) await deleteUserSessions(ctx.db, user.id, ctx.now());
      await writeAudit(ctx.db, ctx.now(), {
        actor: admin.username,
        action: 'user.update',
        projectId: null,
        target: user.username,
        detail: {
          ...(body.role ? { role: body.role } : {}),
          ...(password_hash ? { passwordReset: true } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        },
      });
      return userJson(updated);
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
