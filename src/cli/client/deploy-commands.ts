import { parseArgs } from 'node:util';
import type { ApplicationJson, ReleaseJson } from '../../api/releases.js';
import type { CliIO } from '../exec.js';
import { textTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { clientFrom } from './context.js';
import { ago } from './format.js';

export const DEPLOY_COMMANDS = ['deploy', 'promote', 'rollback', 'approve', 'scale', 'apps'] as const;

export const DEPLOY_USAGE = `usage: slipway deploy PROJECT APP ENV (--image REF | --digest sha256:… | --run N) [--json]
       slipway promote PROJECT APP --from ENV --to ENV [--json]   (same digest)
       slipway rollback PROJECT APP ENV --to RELEASE [--json]    (its image and config, as a new release)
       slipway approve PROJECT APP ENV RELEASE [--json]          (maintainer or admin)
       slipway scale PROJECT APP ENV --replicas N [--json]
       slipway apps PROJECT [--json]                             (environments side by side)
  Each action answers with the release it created and the run that executes it
  (follow it with: slipway logs -f RUN --project PROJECT --job deploy).`;

/** One deploy command's own usage: its line of DEPLOY_USAGE and the closing explanation. */
export function deployUsage(command: string): string {
  const lines = DEPLOY_USAGE.split('\n');
  const own = lines.find((l) =>
    l
      .replace(/^usage:/, '')
      .trim()
      .startsWith(`slipway ${command} `),
  );
  const tail = lines.filter((l) => /^ {2}\S/.test(l)).join('\n');
  return own ? `usage: ${own.replace(/^usage:/, '').trim()}\n${tail}` : DEPLOY_USAGE;
}

/** `slipway deploy|promote|rollback|approve|scale|apps`: releases from the command line. */
export async function deployCommand(command: string, argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      image: { type: 'string' },
      digest: { type: 'string' },
      run: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      replicas: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [project, app, env, extra] = positionals;
  if (!project) throw new UsageError(`which project? ${DEPLOY_USAGE}`);
  const api = clientFrom(io);
  const base = `/api/projects/${enc(project)}/applications`;
  if (command === 'apps') {
    const { applications } = await api.request<{ applications: ApplicationJson[] }>('GET', base);
    if (values.json) return print(io, applications);
    io.stdout(
      applications.length === 0 ? `no applications in ${project}\n` : formatApps(applications, Date.now()),
    );
    return 0;
  }
  if (!app) throw new UsageError(`which application? ${DEPLOY_USAGE}`);
  let path: string;
  let body: unknown;
  switch (command) {
    case 'deploy': {
      const given = [values.image, values.digest, values.run].filter((v) => v !== undefined);
      if (!env || given.length !== 1)
        throw new UsageError(`give ENV and one of --image, --digest, --run\n${DEPLOY_USAGE}`);
      path = `${base}/${enc(app)}/environments/${enc(env)}/deploy`;
      body = values.image
        ? { image: values.image }
        : values.digest
          ? { imageDigest: values.digest }
          : { runNumber: positiveInt(values.run, '--run') };
      break;
    }
    case 'promote':
      if (!values.from || !values.to) throw new UsageError(`give --from ENV and --to ENV\n${DEPLOY_USAGE}`);
      path = `${base}/${enc(app)}/environments/${enc(values.to)}/promote`;
      body = { from: values.from };
      break;
    case 'rollback':
      if (!env || !values.to) throw new UsageError(`give ENV and --to RELEASE\n${DEPLOY_USAGE}`);
      path = `${base}/${enc(app)}/environments/${enc(env)}/rollback`;
      body = { release: positiveInt(values.to.replace(/^#/, ''), '--to') };
      break;
    case 'approve':
      if (!env || !extra) throw new UsageError(`give ENV and RELEASE\n${DEPLOY_USAGE}`);
      path = `${base}/${enc(app)}/environments/${enc(env)}/releases/${positiveInt(extra.replace(/^#/, ''), 'RELEASE')}/approve`;
      body = {};
      break;
    case 'scale':
      if (!env || values.replicas === undefined)
        throw new UsageError(`give ENV and --replicas N\n${DEPLOY_USAGE}`);
      path = `${base}/${enc(app)}/environments/${enc(env)}/scale`;
      body = { replicas: nonNegativeInt(values.replicas, '--replicas') };
      break;
    default:
      throw new UsageError(DEPLOY_USAGE);
  }
  const release = await api.request<ReleaseJson>('POST', path, body);
  if (values.json) return print(io, release);
  io.stdout(`${formatRelease(app, release)}\n`);
  return 0;
}

export function formatRelease(app: string, r: ReleaseJson): string {
  const what = r.image ?? '(image of the build job)';
  const waits = r.status === 'awaiting_approval' ? ' — waits for a maintainer: slipway approve …' : '';
  return `release #${r.number} of ${app} to ${r.environment}: ${r.status}${waits}\n  ${r.trigger} by ${r.actor}, ${what}, ${r.replicas} replica${r.replicas === 1 ? '' : 's'}${r.releaseRun ? `, run #${r.releaseRun}` : ''}`;
}

export function formatApps(apps: ApplicationJson[], now: number): string {
  const rows: string[][] = [['APP', 'ENV', 'HEALTH', 'RUNNING', 'DIGEST', 'REPLICAS', 'LATEST', 'WHEN']];
  for (const app of apps) {
    for (const env of app.environments) {
      const running = env.running;
      const latest = env.latest;
      rows.push([
        app.name,
        env.name + (env.requiresApproval ? ' (approval)' : ''),
        env.health,
        running ? `#${running.number}` : '-',
        running?.digest ? running.digest.slice(7, 19) : (running?.image ?? '-').slice(0, 24),
        String(env.replicas),
        latest ? `#${latest.number} ${latest.status}` : '-',
        latest ? ago(now - latest.createdAt) : '-',
      ]);
    }
  }
  return textTable(rows);
}

function print(io: CliIO, data: unknown): number {
  io.stdout(`${JSON.stringify(data, null, 2)}\n`);
  return 0;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function positiveInt(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${what} must be a positive whole number, got "${text ?? ''}"`);
  return n;
}

function nonNegativeInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${what} must be a whole number ≥ 0, got "${text}"`);
  return n;
}
