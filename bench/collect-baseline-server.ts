/**
 * The bare baseline of bench/collect.bench.ts: a Fastify server that reads the same text/plain
 * JSON body the collect endpoint reads and answers 204 without validating or storing anything.
 * Run as its own process (like the real server), it prints its port.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.removeContentTypeParser(['text/plain']);
app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
  try {
    done(null, JSON.parse(body as string));
  } catch (error) {
    done(error as Error, undefined);
  }
});
app.post('/api/collect', async (_req, reply) => reply.code(204).send());
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${new URL(address).port}\n`);
