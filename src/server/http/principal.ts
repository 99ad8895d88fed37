import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../errors.js';
import type { Role } from '../store/tables.js';

/** Who is calling: set on the request by the authentication hook (auth/authenticate.ts). */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** How they proved it; cookie-authenticated writes need a CSRF token, bearer tokens do not. */
  via: 'session' | 'token';
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

/** Throws 401 when nobody is signed in, 403 when the role is too low. */
export function requireRole(req: FastifyRequest, minimum: Role): Principal {
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
