import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, databaseUnavailable, httpStatus } from '../errors.js';
import { databaseFailure, describeDatabaseFailure } from '../store/database-errors.js';

/**
 * The HTTP edge of the error taxonomy: AppErrors keep their message and get their status;
 * fastify's own client errors (bad JSON, body too large) keep theirs; database outages are 503
 * `database_unavailable` (store/database-errors.ts) so a client retries instead of believing a
 * write happened; anything else is a bug: logged
 * with its stack, answered with a plain message.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof AppError) return sendAppError(reply, error);
    // Driver errors (whatever service let them through) that mean the database cannot serve.
    const failure = databaseFailure(error);
    if (failure) {
      req.log.warn({ err: error, code: failure.code }, 'database unavailable');
      return sendAppError(reply, databaseUnavailable(describeDatabaseFailure(failure)));
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

function sendAppError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(httpStatus(error.code)).send({
    error: {
      code: error.code,
      message: error.message,
      ...(error.where ? { where: error.where } : {}),
      ...(error.reason ? { reason: error.reason } : {}),
      ...(error.params ? { params: error.params } : {}),
    },
  });
}
