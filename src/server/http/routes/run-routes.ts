import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';

/** STUB — to be replaced by its owner. */
export function registerRunRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
