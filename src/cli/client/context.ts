import { execFileSync } from 'node:child_process';
import type { CliIO } from '../exec.js';
import { UsageError } from '../usage-error.js';
import { ApiClient } from './api-client.js';
import { loadCredentials } from './credentials.js';

export function clientFrom(io: CliIO): ApiClient {
  const creds = loadCredentials(io.env);
  return new ApiClient(creds.server, creds.token);
}

/**
 * The project a command is about: --project, else SLIPWAY_PROJECT, else the name in the current
 * repository's remote URL when it points at a Slipway server (`…/git/<name>.git`).
 */
export function projectFrom(flag: string | undefined, io: CliIO): string {
  if (flag) return flag;
  if (io.env.SLIPWAY_PROJECT) return io.env.SLIPWAY_PROJECT;
  try {
    const remotes = execFileSync('git', ['remote', '-v'], {
      cwd: io.cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const match = /\/git\/([a-z0-9][a-z0-9_.-]*)\.git\b/.exec(remotes);
    if (match?.[1]) return match[1];
  } catch {
    // Not a git repository: fall through to the error below.
  }
  throw new UsageError('which project? pass --project NAME (or set SLIPWAY_PROJECT)');
}

/** A run given as `12` or `#12`. */
export function runNumber(text: string | undefined): number {
  const n = Number((text ?? '').replace(/^#/, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a run number, got "${text ?? ''}"`);
  return n;
}
