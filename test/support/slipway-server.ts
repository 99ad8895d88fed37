/**
 * The whole product as a user runs it: a real `slipway server` process (embedded agent on) in a
 * temp data dir with an admin password from the environment, for browser tests and benchmarks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliProcess, startCli } from './cli.js';
import { freePort } from './free-port.js';

export interface SlipwayServerProcess {
  proc: CliProcess;
  url: string;
  port: number;
  dataDir: string;
  /** SIGTERM, SIGKILL after 20 s; then the data dir is removed. */
  stop: () => Promise<void>;
}

/** Starts `slipway server` on a free loopback port; resolves once it says it is running. */
export async function startSlipwayServer(opts: {
  password: string;
  env?: Record<string, string>;
  /** Hard limit on the process's life (see CliOptions.killAfterMs). */
  killAfterMs: number;
}): Promise<SlipwayServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-server-'));
  const proc = startCli(['server'], {
    cwd: dataDir,
    killAfterMs: opts.killAfterMs,
    env: {
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_PORT: String(port),
      SLIPWAY_ADMIN_PASSWORD: opts.password,
      SLIPWAY_DEMO: 'false',
      SLIPWAY_LOG_LEVEL: 'warn',
      ...opts.env,
    },
  });
  try {
    await proc.waitForOutput(/Slipway is running at/, 60_000);
  } catch (error) {
    proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await proc.done;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in as admin (session + CSRF, as the web UI does) and creates an API token named `name`. */
export async function createAdminToken(url: string, password: string, name: string): Promise<string> {
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (login.status !== 200) throw new Error(`admin sign-in: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${url}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name }),
  });
  if (!created.ok) throw new Error(`creating an API token: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}
