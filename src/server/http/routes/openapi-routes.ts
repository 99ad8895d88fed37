import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { defineRoute } from '../define-route.js';
import { buildOpenApi } from '../openapi/build-openapi.js';
import { DOCS_CSS, renderDocs } from '../openapi/render-docs.js';

const API_VERSION = '1';
const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The API's own description. Documents are built at request time from the route registry, so
 * they include routes registered after these (system routes are registered first).
 */
export function registerOpenApiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tags: ['system'],
    auth: false,
    handler: async () => buildOpenApi(ctx.routes.routes, API_VERSION),
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/docs',
    summary: 'This API as a readable HTML page',
    tags: ['system'],
    auth: false,
    handler: async (_input, _req, reply) => {
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff');
      return renderDocs(buildOpenApi(ctx.routes.routes, API_VERSION), '/api/docs.css');
    },
  });

  // A stylesheet, not an inline <style>: the CSP allows only same-origin resources.
  app.get('/api/docs.css', async (_req, reply) => {
    reply.type('text/css; charset=utf-8').header('x-content-type-options', 'nosniff');
    return DOCS_CSS;
  });
}
