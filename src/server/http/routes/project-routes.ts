import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { registerMemberRoutes } from './member-routes.js';
import { registerProjectCrudRoutes } from './project-crud-routes.js';
import { registerScheduleRoutes } from './schedule-routes.js';
import { registerSecretRoutes } from './secret-routes.js';

/** A project and what hangs off it directly: secrets, cron schedules, members. */
export function registerProjectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerProjectCrudRoutes(app, ctx);
  registerSecretRoutes(app, ctx);
  registerScheduleRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
}
