/**
 * A real OCI Distribution registry for tests: Debian's `docker-registry` on 127.0.0.1 at a free
 * port, storing in a temp dir, optionally behind htpasswd. The engine treats 127.0.0.0/8 as an
 * insecure registry, so plain HTTP works without daemon configuration.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export { freePort };

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** host:port */
  host: string;
  url: string;
  /** The Docker-Content-Digest the registry serves for repo:tag (schema 2 manifest). */
  manifestDigest(repository: string, tag: string): Promise<string | null>;
  stop(): Promise<void>;
}

export async function startRegistry(auth?: { username: string; password: string }): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let authBlock = '';
  if (auth) {
    await writeFile(join(dir, 'htpasswd'), `${auth.username}:${bcrypt(auth.password)}\n`);
    authBlock = `auth:\n  htpasswd:\n    realm: slipway-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${authBlock}`,
  );
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const url = `http://${host}`;
  const authHeader: Record<string, string> = auth
    ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      const res = await fetch(`${url}/v2/`);
      // 401 is an answer too (auth enabled).
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    url,
    async manifestDigest(repository, tag) {
      const res = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json', ...authHeader },
      });
      return res.ok ? res.headers.get('docker-content-digest') : null;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A bcrypt hash the registry accepts, from Python's crypt module (Node has no bcrypt). */
function bcrypt(password: string): string {
  return execFileSync(
    'python3',
    [
      '-W',
      'ignore',
      '-c',
      'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
      password,
    ],
    { encoding: 'utf8' },
  ).trim();
}
