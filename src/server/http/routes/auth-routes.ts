import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { registerAccountRoutes } from './account-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerInviteRoutes } from './invite-routes.js';
import { registerOidcRoutes } from './oidc-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerUserRoutes } from './user-routes.js';

/** Who may do what: sessions, API tokens and users. */
export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerSessionRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerInviteRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerOidcRoutes(app, ctx);
}
