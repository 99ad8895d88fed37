/**
 * `slipway cache ls|clear`: the job caches kept on this machine's Docker engine (by `slipway
 * exec`, the embedded agent and standalone agents alike), for the operator of that machine.
 */
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { clearGenerations } from '../backends/docker/cache-prune.js';
import { type CacheGeneration, listGenerations } from '../backends/docker/cache-volumes.js';
import { formatByteSize } from '../domain/byte-size.js';
import { dockerOptions } from './choose-backend.js';
import { ago } from './client/format.js';
import { serverCachesCommand } from './client/server-caches-command.js';
import type { CliIO } from './exec.js';
import { textTable } from './text-table.js';
import { UsageError } from './usage-error.js';

export const CACHE_USAGE = `usage: slipway cache ls [--project P] [--json]
       slipway cache clear (--project P [--key K] | --all)
       slipway cache ls --server [--project P] [--json]
       slipway cache clear --server [--project P] [--key K]
  the job caches (cache: in .slipway.yml) this machine's Docker engine keeps, per project and key.
  clear removes them, except those a running job reads (run it again once it ended).
  --server: the project's caches in the server's cache store instead (the API, signed in).`;

export async function cacheCommand(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (rest.includes('--server')) return serverCachesCommand(verb, rest, io);
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' },
      key: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const docker = new Dockerode(dockerOptions(io.env.DOCKER_HOST));
  const listed = async (): Promise<CacheGeneration[]> => {
    try {
      return await listGenerations(docker, null, values.project ? { namespace: values.project } : {});
    } catch (error) {
      throw new UsageError(`cannot list caches on the Docker engine: ${(error as Error).message}`);
    }
  };
  if (verb === 'ls' || verb === 'list') {
    const caches = await listed();
    if (values.json) {
      io.stdout(`${JSON.stringify(caches.map(publicView), null, 2)}\n`);
      return 0;
    }
    if (caches.length === 0) {
      io.stdout(values.project ? `no caches of ${values.project}\n` : 'no caches on this engine\n');
      return 0;
    }
    const now = Date.now();
    const rows = caches.map((c) => [
      c.namespace,
      c.key,
      c.paths.join(','),
      formatByteSize(c.size),
      ago(now - c.created),
    ]);
    io.stdout(textTable([['PROJECT', 'KEY', 'PATHS', 'SIZE', 'SAVED'], ...rows]));
    return 0;
  }
  if (verb === 'clear') {
    if (!values.all && !values.project)
      throw new UsageError(`cache clear needs --project P or --all\n\n${CACHE_USAGE}`);
    if (values.all && values.project) throw new UsageError('cache clear takes --project or --all, not both');
    if (values.key && !values.project) throw new UsageError('cache clear --key needs --project');
    const chosen = (await listed()).filter((c) => values.key === undefined || c.key === values.key);
    const { removed, inUse } = await clearGenerations(docker, chosen);
    const busy = inUse > 0 ? ` (${inUse} in use by running jobs left; clear again once they end)` : '';
    io.stdout(`removed ${removed} cache${removed === 1 ? '' : 's'}${busy}\n`);
    return 0;
  }
  throw new UsageError(`unknown cache command "${verb ?? ''}"\n\n${CACHE_USAGE}`);
}

function publicView(c: CacheGeneration) {
  return {
    project: c.namespace,
    key: c.key,
    paths: c.paths,
    size: c.size,
    savedAt: c.created,
    installation: c.installation,
  };
}
