import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries (security rule 12). The CSP allows no inline scripts and nothing
 * from elsewhere, so even if a log line slipped through as HTML it could not run; `nosniff`
 * stops a browser from treating a raw log download as a page. Routes that set their own CSP
 * (the docs page) keep it.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });
}
