import type { FastifyRequest } from 'fastify';
import { projectRoleAtLeast } from '../access/project-access.js';
import { forbidden, unauthorized } from '../errors.js';
import type { Role } from '../store/tables.js';

/** Who is calling: set on the request by the authentication hook (auth/authenticate.ts). */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /**
   * How they proved it; cookie-authenticated writes need a CSRF token, bearer tokens do not.
   * 'anonymous': nobody, reading a public project (only ever returned by requireRole there).
   */
  via: 'session' | 'token' | 'anonymous';
  /**
   * The password was generated or reset by an admin: until its owner sets their own, only
   * /api/me, sign-out and changing the password are allowed (requireRole refuses the rest).
   */
  mustChangePassword?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const RANK: Record<Role, number> = { viewer: 1, maintainer: 2, admin: 3 };

/** The reader of a public project who did not sign in. */
const ANONYMOUS: Principal = { userId: '', username: 'anonymous', role: 'viewer', via: 'anonymous' };

/**
 * Throws 401 when nobody is signed in, 403 when the role is too low.
 * On project routes the project's guard (access/project-guard.ts) already decided with the
 * caller's project role; there `viewer` means "may read this project" (anonymous readers of a
 * public project included) and `maintainer` means "may act here", at the level the route
 * declared (developer or maintainer; maintainer when it declared none). `admin` always means
 * the instance admin.
 */
export function requireRole(req: FastifyRequest, minimum: Role): Principal {
  const access = req.projectAccess;
  if (access && minimum !== 'admin') {
    if (minimum === 'viewer') return req.principal ?? ANONYMOUS;
    const acting = access.required === 'viewer' ? 'maintainer' : access.required;
    const p = requireSignedIn(req);
    if (!projectRoleAtLeast(access.role, acting)) {
      throw forbidden(
        `this needs the ${acting} role in project "${access.project.name}"; you are ${access.role}`,
      );
    }
    return p;
  }
  const p = requireSignedIn(req);
  if (p.mustChangePassword) {
    throw forbidden('password_change_required: set your own password first (PUT /api/me/password)');
  }
  if (RANK[p.role] < RANK[minimum]) throw forbidden(`this needs the ${minimum} role; you are ${p.role}`);
  return p;
}

/** Anyone signed in, even with a password still to change (for /api/me and changing it). */
export function requireSignedIn(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p) throw unauthorized();
  return p;
}
