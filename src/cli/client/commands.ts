import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { ProjectListItem } from '../../api/projects.js';
import type { RunDetail, RunPage, RunSummary } from '../../api/runs.js';
import type { LogLine } from '../../domain/log-line.js';
import { isTerminal } from '../../domain/status.js';
import type { CliIO } from '../exec.js';
import { parsePairs } from '../secrets-input.js';
import { textTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { ApiClient } from './api-client.js';
import { clientFrom, projectFrom, runNumber } from './context.js';
import { saveCredentials } from './credentials.js';
import { followJobLog } from './follow-log.js';
import { RUN_COLUMNS, runCells, statusText } from './format.js';

/** The commands that talk to a server. Each returns an exit code; `--json` prints raw API JSON. */
export const CLIENT_COMMANDS = [
  'login',
  'projects',
  'runs',
  'run',
  'logs',
  'cancel',
  'rerun',
  'secrets',
] as const;

const out = (io: CliIO, json: boolean, value: unknown, human: () => string) =>
  io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human());

export async function clientCommand(command: string, argv: string[], io: CliIO): Promise<number> {
  switch (command) {
    case 'login':
      return login(argv, io);
    case 'projects':
      return projects(argv, io);
    case 'runs':
      return runs(argv, io);
    case 'run':
      return run(argv, io);
    case 'logs':
      return logs(argv, io);
    case 'cancel':
      return cancel(argv, io);
    case 'rerun':
      return rerun(argv, io);
    case 'secrets':
      return secrets(argv, io);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * `slipway login --server URL (--token T | --username U [--password-stdin])`: with a password,
 * signs in once and creates a named API token, which is what gets stored — never the password.
 */
async function login(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  const server = (values.server ?? io.env.SLIPWAY_SERVER ?? '').replace(/\/+$/, '');
  if (!server) throw new UsageError('login needs --server URL');
  let token = values.token ?? io.env.SLIPWAY_TOKEN;
  let username = values.username;
  if (!token) {
    if (!username) throw new UsageError('login needs --token T, or --username U with --password-stdin');
    const password = values['password-stdin']
      ? (await readStdin()).trim()
      : (values.password ?? io.env.SLIPWAY_PASSWORD);
    if (!password) throw new UsageError('no password: use --password-stdin (or SLIPWAY_PASSWORD)');
    token = await tokenFromPassword(server, username, password);
  }
  const me = await new ApiClient(server, token).request<{ user: { username: string } }>('GET', '/api/me');
  username = me.user.username;
  const path = saveCredentials(io.env, { server, token, username });
  io.stdout(`logged in to ${server} as ${username} (token saved in ${path})\n`);
  return 0;
}

async function tokenFromPassword(server: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${server}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  }).catch((error: Error) => {
    throw new UsageError(`cannot reach ${server}: ${error.cause ?? error.message}`);
  });
  if (!res.ok) throw new UsageError(`sign-in refused: ${res.status} ${(await res.text()).slice(0, 200)}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${server}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: `cli@${hostname()}` }),
  });
  if (!created.ok)
    throw new UsageError(`could not create an API token: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function projects(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const items = await clientFrom(io).request<ProjectListItem[]>('GET', '/api/projects');
  out(io, Boolean(values.json), items, () =>
    textTable([
      ['PROJECT', 'SOURCE', 'LATEST RECORD'],
      ...items.map((p) => [
        p.name,
        p.gitUrl ?? p.source.url ?? '',
        p.latestRun ? `#${p.latestRun.number} ${p.latestRun.record} ${p.latestRun.status}` : 'no runs yet',
      ]),
    ]),
  );
  return 0;
}

async function runs(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' },
      branch: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const project = projectFrom(values.project, io);
  const query = new URLSearchParams();
  if (values.branch) query.set('branch', values.branch);
  if (values.status) query.set('status', values.status);
  if (values.limit) query.set('limit', values.limit);
  const page = await clientFrom(io).request<RunPage>(
    'GET',
    `/api/projects/${encodeURIComponent(project)}/runs?${query}`,
  );
  const now = Date.now();
  out(io, Boolean(values.json), page, () =>
    page.runs.length === 0
      ? 'no runs yet\n'
      : textTable([RUN_COLUMNS, ...page.runs.map((r) => runCells(r, now, io.color))]),
  );
  return 0;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' },
      branch: { type: 'string' },
      tag: { type: 'string' },
      var: { type: 'string', multiple: true },
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
    },
  });
  if (Boolean(values.branch) === Boolean(values.tag))
    throw new UsageError('run needs exactly one of --branch or --tag');
  const project = projectFrom(values.project, io);
  const client = clientFrom(io);
  const created = await client.request<RunSummary>(
    'POST',
    `/api/projects/${encodeURIComponent(project)}/runs`,
    {
      ...(values.branch ? { branch: values.branch } : { tag: values.tag }),
      variables: parsePairs(values.var ?? [], '--var'),
    },
  );
  out(io, Boolean(values.json), created, () => `started #${created.number} ${created.record}\n`);
  if (!values.follow) return 0;
  return followRun(client, project, created.number, io);
}

async function logs(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      job: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
    },
  });
  const project = projectFrom(values.project, io);
  const number = runNumber(positionals[0]);
  const client = clientFrom(io);
  if (values.follow) return followRun(client, project, number, io, values.job);
  const detail = await client.request<RunDetail>(
    'GET',
    `/api/projects/${encodeURIComponent(project)}/runs/${number}`,
  );
  for (const job of detail.jobs.filter((j) => !values.job || j.name === values.job)) {
    let after = 0;
    for (;;) {
      const page = await client.request<{ lines: LogLine[]; next: number | null }>(
        'GET',
        `${jobPath(project, number, job.name)}/logs?after=${after}&limit=5000`,
      );
      for (const line of page.lines) io.stdout(`${job.name} │ ${line.text}\n`);
      if (page.next === null || page.lines.length === 0) break;
      after = page.next;
    }
  }
  return 0;
}

/** Streams every job's log in plan order (or one job's) until the run ends; exit 1 unless it succeeded. */
async function followRun(
  client: ApiClient,
  project: string,
  number: number,
  io: CliIO,
  only?: string,
): Promise<number> {
  const runPath = `/api/projects/${encodeURIComponent(project)}/runs/${number}`;
  const done = new Set<string>();
  for (;;) {
    const detail = await client.request<RunDetail>('GET', runPath);
    const next = detail.jobs.find(
      (j) =>
        !done.has(j.name) && (!only || j.name === only) && (j.status === 'running' || isTerminal(j.status)),
    );
    if (next) {
      done.add(next.name);
      if (next.status !== 'skipped') {
        await followJobLog(client, `${jobPath(project, number, next.name)}/logs/stream`, (lines) => {
          for (const line of lines) io.stdout(`${next.name} │ ${line.text}\n`);
        });
      }
      continue;
    }
    if (isTerminal(detail.status)) {
      io.stdout(`#${detail.number} ${detail.record} ${statusText(detail)}\n`);
      return detail.status === 'succeeded' ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function jobPath(project: string, number: number, job: string): string {
  return `/api/projects/${encodeURIComponent(project)}/runs/${number}/jobs/${encodeURIComponent(job)}`;
}

async function cancel(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { project: { type: 'string' }, json: { type: 'boolean' } },
  });
  const project = projectFrom(values.project, io);
  const number = runNumber(positionals[0]);
  const result = await clientFrom(io).request(
    'POST',
    `/api/projects/${encodeURIComponent(project)}/runs/${number}/cancel`,
  );
  out(io, Boolean(values.json), result ?? { canceled: number }, () => `cancel requested for #${number}\n`);
  return 0;
}

async function rerun(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { project: { type: 'string' }, failed: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const project = projectFrom(values.project, io);
  const number = runNumber(positionals[0]);
  const created = await clientFrom(io).request<RunSummary>(
    'POST',
    `/api/projects/${encodeURIComponent(project)}/runs/${number}/rerun`,
    { failedOnly: Boolean(values.failed) },
  );
  out(
    io,
    Boolean(values.json),
    created,
    () =>
      `started #${created.number} ${created.record} (${values.failed ? 'resume from failed' : 'rerun'} of #${number})\n`,
  );
  return 0;
}

async function secrets(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { project: { type: 'string' }, value: { type: 'string' }, json: { type: 'boolean' } },
  });
  const project = projectFrom(values.project, io);
  const client = clientFrom(io);
  const base = `/api/projects/${encodeURIComponent(project)}/secrets`;
  switch (verb) {
    case 'ls': {
      const list = await client.request<
        { name: string; updatedAt: number }[] | { secrets: { name: string }[] }
      >('GET', base);
      const items = Array.isArray(list) ? list : list.secrets;
      out(io, Boolean(values.json), list, () => items.map((s) => `${s.name}\n`).join(''));
      return 0;
    }
    case 'set': {
      const name = positionals[0];
      if (!name) throw new UsageError('secrets set NAME [--value V] (or the value on stdin)');
      const value = values.value ?? (await readStdin()).replace(/\r?\n$/, '');
      await client.request('PUT', `${base}/${encodeURIComponent(name)}`, { value });
      io.stdout(`secret ${name} set\n`);
      return 0;
    }
    case 'rm': {
      const name = positionals[0];
      if (!name) throw new UsageError('secrets rm NAME');
      await client.request('DELETE', `${base}/${encodeURIComponent(name)}`);
      io.stdout(`secret ${name} removed\n`);
      return 0;
    }
    default:
      throw new UsageError('usage: slipway secrets ls|set|rm [NAME] [--project P]');
  }
}
