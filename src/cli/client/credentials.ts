import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../usage-error.js';

/**
 * Where `slipway login` keeps the server URL and API token: `$XDG_CONFIG_HOME/slipway/credentials.json`
 * (mode 0600). SLIPWAY_SERVER and SLIPWAY_TOKEN override it, for CI and scripts.
 */
const fileSchema = z.object({
  server: z.string().url(),
  token: z.string().min(1),
  username: z.string().optional(),
});
export type Credentials = z.infer<typeof fileSchema>;

export function credentialsPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'slipway', 'credentials.json');
}

export function saveCredentials(env: Record<string, string | undefined>, creds: Credentials): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function loadCredentials(env: Record<string, string | undefined>): Credentials {
  if (env.SLIPWAY_SERVER && env.SLIPWAY_TOKEN)
    return { server: env.SLIPWAY_SERVER, token: env.SLIPWAY_TOKEN };
  const path = credentialsPath(env);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(
      'not logged in: run `slipway login --server URL` (or set SLIPWAY_SERVER and SLIPWAY_TOKEN)',
    );
  }
  const parsed = fileSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new UsageError(`${path} is damaged; run \`slipway login\` again`);
  return { ...parsed.data, ...(env.SLIPWAY_SERVER ? { server: env.SLIPWAY_SERVER } : {}) };
}
