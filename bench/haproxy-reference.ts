/**
 * HAProxy as a reference proxy for the HTTP proxy bench: a mature C proxy measured in the same
 * rounds shows what any proxy costs on this machine, so Slipway's numbers can be read against
 * the machine's ceiling and not only against direct access.
 *
 * It is configured to do the same job as Slipway's proxy: HTTP mode (parses every request and
 * answer), one thread (Slipway's proxy is one event loop), keep-alive on both sides, and the
 * X-Forwarded-For/-Proto/-Host headers added. Found on PATH, in /usr/sbin or /usr/local/sbin
 * (Debian installs it there, outside a normal user's PATH), or at SLIPWAY_BENCH_HAPROXY
 * (`off` skips the reference).
 */
import { execFile, spawn } from 'node:child_process';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../test/support/free-port.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface ReferenceProxy {
  /** e.g. "HAProxy 2.6.12" */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Where to look when SLIPWAY_BENCH_HAPROXY is not set: PATH, then Debian's sbin directories. */
export function haproxySearchPath(path: string): string {
  return [path, '/usr/sbin', '/usr/local/sbin'].join(delimiter);
}

/** The haproxy binary to use, or null when there is none (or `explicit` is "off"). */
export async function findHaproxy(explicit: string | undefined, searchPath: string): Promise<string | null> {
  if (explicit === 'off') return null;
  const candidates = explicit
    ? [explicit]
    : searchPath
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, 'haproxy'));
  for (const candidate of candidates) {
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  if (explicit) throw new Error(`SLIPWAY_BENCH_HAPROXY=${explicit} is not an executable file`);
  return null;
}

function config(port: number, upstream: { host: string; port: number }): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  option forwardfor',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 60s',
    'frontend bench',
    `  bind 127.0.0.1:${port}`,
    '  http-request set-header X-Forwarded-Proto http',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  default_backend app',
    'backend app',
    `  server app ${upstream.host}:${upstream.port}`,
    '',
  ].join('\n');
}

/**
 * Starts `haproxy -db` (foreground) in front of `upstream` on a free loopback port and resolves
 * once a GET of `probePath` through it answers 200, i.e. it listens and reaches the app.
 */
export async function startHaproxy(
  binary: string,
  upstream: { host: string; port: number },
  probePath: string,
): Promise<ReferenceProxy> {
  const { stdout, stderr } = await run(binary, ['-v']);
  const version = /version (\d+\.\d+\.\d+)/i.exec(`${stdout}${stderr}`)?.[1] ?? '?';
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-haproxy-'));
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, config(port, upstream));
  const child = spawn(binary, ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (output.length < 8_000) output += chunk.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      output += String(err);
      exited = true;
      resolve();
    });
  });
  // If the bench dies on an exception, do not leave haproxy running behind it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`haproxy exited before answering:\n${output.trim()}`);
    }
    if ((await probe(port, probePath)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `haproxy did not answer 200 on ${probePath} within ${START_TIMEOUT_MS} ms:\n${output.trim()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { label: `HAProxy ${version}`, host: '127.0.0.1', port, stop };
}

/** The status of one GET, or 0 when the connection failed. */
function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
