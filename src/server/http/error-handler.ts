import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, httpStatus } from '../errors.js';

/** SQLite/PostgreSQL failures that mean "the database is not usable right now": answer 503. */
const UNAVAILABLE =
  /^(SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|READONLY|FULL|CORRUPT|NOTADB)|ECONNREFUSED|57P0[1-3]|08\d{3})/;

/**
 * The HTTP edge of the error taxonomy: AppErrors keep their message and get their status;
 * fastify's own client errors (bad JSON, body too large) keep theirs; database outages are 503
 * so a client retries instead of believing a write happened; anything else is a bug: logged
 * with its stack, answered with a plain message.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof AppError) {
      return reply.code(httpStatus(error.code)).send({
        error: { code: error.code, message: error.message, ...(error.where ? { where: error.where } : {}) },
      });
    }
    const code = String((error as { code?: unknown }).code ?? '');
    if (UNAVAILABLE.test(code)) {
      req.log.warn({ code }, 'database unavailable');
      return reply
        .code(503)
        .send({ error: { code: 'unavailable', message: 'the database is unavailable; retry shortly' } });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: { code: 'invalid', message: error.message } });
    }
    req.log.error({ err: error }, 'unhandled error');
    return reply
      .code(500)
      .send({ error: { code: 'internal', message: 'internal error (logged on the server)' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
