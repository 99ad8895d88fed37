/**
 * A server with its real logger on (level debug), run as a child process so a test can read
 * every line it logs from stdout. Prints `READY <json>` once listening; exits on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig } from '../../../src/server/config.js';
import { createServer } from '../../../src/server/create-server.js';
import { fakeSources } from '../../support/recording-fakes.js';
import { createUserWithToken } from '../../support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-logging-'));
const config = loadServerConfig(
  {
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_PORT: '0',
    SLIPWAY_DEMO: 'false',
    SLIPWAY_EMBEDDED_AGENT: 'false',
    SLIPWAY_LOG_LEVEL: 'debug',
  },
  process.cwd(),
);
const server = await createServer(config, { logger: true });
server.ctx.sources = fakeSources();
const url = await server.listen();
const token = await createUserWithToken(server, 'admin', 'admin');
process.stdout.write(`READY ${JSON.stringify({ url, token })}\n`);
process.once('SIGTERM', async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
