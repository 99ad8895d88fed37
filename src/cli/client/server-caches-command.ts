/**
 * `slipway cache ls|clear --server`: the caches of a project in the server's cache store (what
 * agents upload so another agent can start from them), through the API — the same list and
 * clear buttons as Settings → Caches.
 */
import { parseArgs } from 'node:util';
import { formatByteSize } from '../../domain/byte-size.js';
import type { CliIO } from '../exec.js';
import { textTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { clientFrom, projectFrom } from './context.js';
import { ago } from './format.js';

interface ServerCachesJson {
  caches: { key: string; paths: string[]; size: number; createdAt: number; lastUsedAt: number }[];
  limits: { maxBytes: number; totalBytes: number; maxAgeMs: number };
}

export async function serverCachesCommand(
  verb: string | undefined,
  argv: string[],
  io: CliIO,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'boolean' },
      project: { type: 'string' },
      key: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (values.all) throw new UsageError('cache clear --server clears one project: name it with --project P');
  const project = projectFrom(values.project, io);
  const base = `/api/projects/${encodeURIComponent(project)}/caches`;
  const client = clientFrom(io);
  if (verb === 'ls' || verb === 'list') {
    const listed = await client.request<ServerCachesJson>('GET', base);
    if (values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return 0;
    }
    if (listed.caches.length === 0) {
      io.stdout(`no caches of ${project} in the server's cache store\n`);
      return 0;
    }
    const now = Date.now();
    const rows = listed.caches.map((c) => [
      c.key,
      c.paths.join(','),
      formatByteSize(c.size),
      ago(now - c.lastUsedAt),
      ago(now - c.createdAt),
    ]);
    io.stdout(textTable([['KEY', 'PATHS', 'SIZE', 'USED', 'SAVED'], ...rows]));
    return 0;
  }
  if (verb === 'clear') {
    const path = values.key === undefined ? base : `${base}/${encodeURIComponent(values.key)}`;
    const { removed } = await client.request<{ removed: number }>('DELETE', path);
    io.stdout(`removed ${removed} cache${removed === 1 ? '' : 's'} from the server's cache store\n`);
    return 0;
  }
  throw new UsageError(`unknown cache command "${verb ?? ''}" (ls or clear)`);
}
