import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** STUB — sets req.principal from the session cookie or a bearer token; CSRF for cookie writes. */
export function installAuthentication(app: FastifyInstance, _ctx: ServerContext): void {
  app.decorateRequest('principal', null);
}
