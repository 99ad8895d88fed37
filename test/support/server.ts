import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import { createServer, type SlipwayServer } from '../../src/server/create-server.js';
import type { Role } from '../../src/server/store/tables.js';

export interface TestServer {
  server: SlipwayServer;
  url: string;
  dataDir: string;
  /** Bearer token of an admin user created directly in the database. */
  adminToken: string;
  /** fetch against the server with the admin token (unless headers say otherwise). */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  close: () => Promise<void>;
}

/**
 * A real server on a temp SQLite file, listening on a free loopback port. No demo project and
 * no embedded agent unless the test asks (env). Tokens follow the server's format: the database
 * stores only the sha256 hex of the token.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  const server = await createServer(testServerConfig(dataDir, env));
  const url = await server.listen();
  const adminToken = await createUserWithToken(server, `admin-${randomUUID().slice(0, 6)}`, 'admin');
  return {
    server,
    url,
    dataDir,
    adminToken,
    api: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The config of a test server on `dataDir` (see startTestServer); `env` adds to it or overrides it. */
export function testServerConfig(dataDir: string, env: Record<string, string> = {}): ServerConfig {
  return loadServerConfig(
    {
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_PORT: '0',
      SLIPWAY_DEMO: 'false',
      SLIPWAY_EMBEDDED_AGENT: 'false',
      SLIPWAY_LEASE_TIMEOUT: '3s',
      ...env,
    },
    process.cwd(),
  );
}

/** Inserts a user (unusable password) and an API token for it; returns the token. */
export async function createUserWithToken(
  server: SlipwayServer,
  username: string,
  role: Role,
): Promise<string> {
  const { db, now } = server.ctx;
  const userId = randomUUID();
  await db
    .insertInto('users')
    .values({ id: userId, username, password_hash: '!', role, created_at: now() })
    .execute();
  const token = `slp_${randomBytes(24).toString('base64url')}`;
  await db
    .insertInto('api_tokens')
    .values({
      id: randomUUID(),
      user_id: userId,
      name: 'test',
      token_hash: createHash('sha256').update(token).digest('hex'),
      created_at: now(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return token;
}
