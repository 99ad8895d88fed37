import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';

/** STUB — to be replaced by its owner. */
export function registerWebhookRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
