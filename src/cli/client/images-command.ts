import { parseArgs } from 'node:util';
import type { ImagesJsonType, RegistryCheckJsonType, RegistryJsonType } from '../../api/images.js';
import { formatByteSize } from '../../domain/byte-size.js';
import type { CliIO } from '../exec.js';
import { textTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { clientFrom, projectFrom } from './context.js';
import { ago } from './format.js';

export const IMAGES_USAGE = `usage: slipway images [PROJECT] [--project P] [--json]
  the project's image repositories and their current tags: digest, size, age, the record that built it`;

export const REGISTRIES_USAGE = `usage: slipway registries list [--project P] [--json]
       slipway registries add HOST --username U --password-stdin [--project P]
       slipway registries remove HOST|ID [--project P]
       slipway registries check HOST|ID [--project P]
  without --project: the global registries (admin); with it: the project's own (maintainer).
  The password is read from stdin, never from the command line (it would show in ps and history).`;

/** `slipway images`: the image catalogue (镜像仓库) as a table, or the API's JSON. */
export async function imagesCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { project: { type: 'string' }, json: { type: 'boolean' } },
  });
  const project = projectFrom(values.project ?? positionals[0], io);
  const images = await clientFrom(io).request<ImagesJsonType>(
    'GET',
    `/api/projects/${encodeURIComponent(project)}/images`,
  );
  if (values.json) {
    io.stdout(`${JSON.stringify(images, null, 2)}\n`);
    return 0;
  }
  if (images.repositories.length === 0) {
    io.stdout(`no images yet: a build job of ${project} records them\n`);
    return 0;
  }
  const now = Date.now();
  const rows = images.repositories.flatMap((repo) =>
    repo.tags.map((tag) => [
      repo.repository,
      tag.tag,
      shortDigest(tag.digest),
      tag.size === null ? '-' : formatByteSize(tag.size),
      ago(now - tag.createdAt),
      `#${tag.run.number} ${tag.run.record}`,
    ]),
  );
  io.stdout(textTable([['REPOSITORY', 'TAG', 'DIGEST', 'SIZE', 'AGE', 'RECORD'], ...rows]));
  return 0;
}

/** `slipway registries list|add|remove|check`: registry credentials, global or per project. */
export async function registriesCommand(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (rest.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError('passwords are never taken from the command line: pipe it to --password-stdin');
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const client = clientFrom(io);
  const base = values.project
    ? `/api/projects/${encodeURIComponent(values.project)}/registries`
    : '/api/registries';
  const scope = values.project ? 'project' : 'global';
  const list = () => client.request<RegistryJsonType[]>('GET', base);
  switch (verb) {
    case 'list':
    case 'ls': {
      const registries = await list();
      if (values.json) io.stdout(`${JSON.stringify(registries, null, 2)}\n`);
      else
        io.stdout(
          textTable([
            ['HOST', 'USERNAME', 'SCOPE', 'ID'],
            ...registries.map((r) => [r.host, r.username, r.scope, r.id]),
          ]),
        );
      return 0;
    }
    case 'add': {
      const host = positionals[0];
      if (!host || !values.username || !values['password-stdin']) {
        throw new UsageError(
          `registries add needs HOST --username U --password-stdin\n\n${REGISTRIES_USAGE}`,
        );
      }
      const password = (await readStdin()).replace(/\r?\n$/, '');
      if (!password) throw new UsageError('no password on stdin');
      const created = await client.request<RegistryJsonType>('POST', base, {
        host,
        username: values.username,
        password,
      });
      io.stdout(`registry ${created.host} saved (${scope}, user ${created.username})\n`);
      return 0;
    }
    case 'remove':
    case 'rm': {
      const entry = await findEntry(await list(), positionals[0], scope);
      await client.request('DELETE', `${base}/${encodeURIComponent(entry.id)}`);
      io.stdout(`registry ${entry.host} removed\n`);
      return 0;
    }
    case 'check': {
      const entry = await findEntry(await list(), positionals[0], scope);
      const checkBase = entry.scope === 'global' ? '/api/registries' : base;
      const answer = await client.request<RegistryCheckJsonType>(
        'POST',
        `${checkBase}/${encodeURIComponent(entry.id)}/check`,
      );
      io.stdout(
        values.json ? `${JSON.stringify(answer, null, 2)}\n` : `${answer.result}: ${answer.message}\n`,
      );
      return answer.result === 'ok' ? 0 : 1;
    }
    default:
      throw new UsageError(REGISTRIES_USAGE);
  }
}

async function findEntry(
  registries: RegistryJsonType[],
  hostOrId: string | undefined,
  scope: 'global' | 'project',
): Promise<RegistryJsonType> {
  if (!hostOrId) throw new UsageError(`name the registry: HOST or ID\n\n${REGISTRIES_USAGE}`);
  const wanted = hostOrId
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/(v2\/?)?$/, '');
  const found = registries.find((r) => r.id === hostOrId || (r.host === wanted && r.scope === scope));
  if (!found) throw new UsageError(`no ${scope} registry ${hostOrId}`);
  return found;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `sha256:0123456789ab`, or `local` for an image that was never pushed. */
function shortDigest(digest: string | null): string {
  if (!digest) return 'local';
  const [algorithm, hex = ''] = digest.split(':');
  return `${algorithm}:${hex.slice(0, 12)}`;
}
