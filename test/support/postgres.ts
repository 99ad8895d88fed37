/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, pg_ctl start on a free
 * loopback port (socket in the same dir), a fresh database per suite, stop + remove at the end.
 * initdb refuses to run as root, so as root the cluster belongs to `postgres` (the Debian
 * package's user) or else `nobody`, and the temp dir is handed to that user.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface PostgresCluster {
  port: number;
  /** A new, empty database; returns its postgres:// URL. */
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

const SUPERUSER = 'slipway';
const COMMAND_TIMEOUT_MS = 60_000;

/** Where initdb/pg_ctl are: on PATH, else the newest /usr/lib/postgresql/<v>/bin. */
function pgBin(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  }
  throw new Error(`${name} not found: install PostgreSQL (Debian: apt-get install postgresql)`);
}

/** The unprivileged user to run the cluster as when we are root (null: run as ourselves). */
function clusterUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
      return { name, uid: id('-u'), gid: id('-g') };
    } catch {
      // not on this machine; try the next
    }
  }
  throw new Error('running as root and neither a "postgres" nor a "nobody" user exists');
}

function run(file: string, args: string[], asUser: string | null): Promise<string> {
  const [cmd, argv] = asUser ? ['runuser', ['-u', asUser, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-pg-'));
  if (user) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const asUser = user?.name ?? null;
  await run(
    pgBin('initdb'),
    ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    asUser,
  );
  const port = await freePort();
  const options = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  await run(
    pgBin('pg_ctl'),
    ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'],
    asUser,
  );
  let seq = 0;
  const base = `postgres://${SUPERUSER}@127.0.0.1:${port}`;
  return {
    port,
    async createDatabase(prefix = 'slipway_test') {
      const name = `${prefix}_${process.pid}_${++seq}`;
      const admin = new pg.Client({ connectionString: `${base}/postgres`, connectionTimeoutMillis: 10_000 });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    },
    async stop() {
      try {
        await run(pgBin('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '60', 'stop'], asUser);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
