import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';

/**
 * The base URL to print in git remotes and webhook URLs: the configured public URL, else the
 * origin the caller used (only ever shown back to that caller).
 */
export function publicOrigin(config: Pick<ServerConfig, 'publicUrl'>, req: FastifyRequest): string {
  return config.publicUrl ?? `${req.protocol}://${req.host}`;
}
