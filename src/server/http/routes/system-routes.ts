import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerOpenApiRoutes } from './openapi-routes.js';

/** Operating the server: health, metrics, and the API's description. */
export function registerSystemRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerHealthRoutes(app, ctx);
  registerOpenApiRoutes(app, ctx);
}
