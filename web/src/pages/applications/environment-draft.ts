/**
 * What the environment form edits, as the texts the user typed (so nothing is lost when the
 * server refuses a value), and the conversion to and from the API's JSON. Settings the form does
 * not show (update order, runsOn labels, four-eyes, impact windows) ride along unchanged from the
 * config the environment already had.
 */
import type { EnvironmentJson } from '../../../../src/api/releases.js';

export interface Row {
  key: string;
  value: string;
}

export interface EnvironmentDraft {
  name: string;
  target: 'docker' | 'swarm';
  repository: string;
  ports: { published: string; target: string }[];
  replicas: string;
  health: 'none' | 'http' | 'command';
  healthPath: string;
  healthPort: string;
  /** A shell command line (run with /bin/sh -c), unless `commandArgv` still matches it. */
  healthCommand: string;
  /** The argv the environment had, kept as is while the command text is untouched. */
  commandArgv: string[] | null;
  intervalS: string;
  timeoutS: string;
  retries: string;
  variables: Row[];
  /** Names of project secrets; a value typed here is written to the project's secrets first. */
  secrets: Row[];
  requiresApproval: boolean;
  production: boolean;
  autoRelease: string;
  cpus: string;
  memoryMb: string;
  /** The config as loaded, for the fields the form does not edit. */
  base: Record<string, unknown>;
}

export function emptyDraft(name = ''): EnvironmentDraft {
  return {
    name,
    target: 'docker',
    repository: '',
    ports: [],
    replicas: '1',
    health: 'none',
    healthPath: '/',
    healthPort: '',
    healthCommand: '',
    commandArgv: null,
    intervalS: '2',
    timeoutS: '2',
    retries: '3',
    variables: [],
    secrets: [],
    requiresApproval: false,
    production: false,
    autoRelease: '',
    cpus: '',
    memoryMb: '',
    base: {},
  };
}

function commandText(argv: string[]): string {
  if (argv.length === 3 && (argv[0] === 'sh' || argv[0] === '/bin/sh') && argv[1] === '-c')
    return argv[2] ?? '';
  return argv.join(' ');
}

export function draftOf(env: EnvironmentJson): EnvironmentDraft {
  const c = env.config;
  const hc = c.healthcheck;
  return {
    name: env.name,
    target: env.target === 'swarm' ? 'swarm' : 'docker',
    repository: c.repository ?? '',
    ports: c.ports.map((p) => ({ published: String(p.published), target: String(p.target) })),
    replicas: String(c.replicas),
    health: hc?.http ? 'http' : hc?.command ? 'command' : 'none',
    healthPath: hc?.http?.path ?? '/',
    healthPort: hc?.http ? String(hc.http.port) : '',
    healthCommand: hc?.command ? commandText(hc.command) : '',
    commandArgv: hc?.command ?? null,
    intervalS: String((hc?.intervalMs ?? 2000) / 1000),
    timeoutS: String((hc?.timeoutMs ?? 2000) / 1000),
    retries: String(hc?.retries ?? 3),
    variables: Object.entries(c.variables).map(([key, value]) => ({ key, value })),
    secrets: c.secrets.map((key) => ({ key, value: '' })),
    requiresApproval: env.requiresApproval,
    production: env.production,
    autoRelease: env.autoRelease?.branches.join(', ') ?? '',
    cpus: c.resources.cpus === null ? '' : String(c.resources.cpus),
    memoryMb: c.resources.memoryMb === null ? '' : String(c.resources.memoryMb),
    base: c as unknown as Record<string, unknown>,
  };
}

/**
 * A number as typed; what is not a number goes to the server as the text, so its answer (a 400
 * naming the field) is what the user sees — the server is the one place rules live.
 */
function num(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

function optionalNum(text: string): number | string | null {
  return text.trim() === '' ? null : num(text);
}

function seconds(text: string): number | string {
  const n = num(text);
  return typeof n === 'number' ? Math.round(n * 1000) : n;
}

function healthcheckOf(d: EnvironmentDraft): Record<string, unknown> | null {
  if (d.health === 'none') return null;
  const timing = {
    intervalMs: seconds(d.intervalS),
    timeoutMs: seconds(d.timeoutS),
    retries: num(d.retries),
  };
  const startPeriod = (d.base.healthcheck as { startPeriodMs?: number } | null | undefined)?.startPeriodMs;
  const kept = startPeriod === undefined ? {} : { startPeriodMs: startPeriod };
  if (d.health === 'http')
    return { http: { path: d.healthPath.trim(), port: num(d.healthPort) }, ...timing, ...kept };
  const command =
    d.commandArgv && commandText(d.commandArgv) === d.healthCommand
      ? d.commandArgv
      : ['sh', '-c', d.healthCommand];
  return { command, ...timing, ...kept };
}

/** The body of PUT …/environments/:env (and one entry of POST …/applications). */
export function environmentInput(d: EnvironmentDraft): Record<string, unknown> {
  const branches = d.autoRelease
    .split(/[,\n]/)
    .map((b) => b.trim())
    .filter(Boolean);
  return {
    target: d.target,
    requiresApproval: d.requiresApproval,
    production: d.production,
    autoRelease: branches.length ? { branches } : null,
    config: {
      ...d.base,
      repository: d.repository.trim() || null,
      ports: d.ports.map((p) => ({ published: num(p.published), target: num(p.target) })),
      replicas: num(d.replicas),
      healthcheck: healthcheckOf(d),
      variables: Object.fromEntries(
        d.variables.filter((v) => v.key.trim()).map((v) => [v.key.trim(), v.value]),
      ),
      secrets: d.secrets.map((s) => s.key.trim()).filter(Boolean),
      resources: { cpus: optionalNum(d.cpus), memoryMb: optionalNum(d.memoryMb) },
    },
  };
}

/**
 * Which part of the form a server error is about: `body.environments.0.config.ports.1.published`
 * or `body.config.ports.1.published` → `config.ports`.
 */
export function fieldOf(where: string | undefined): string | null {
  if (!where) return null;
  const parts = where.split('.').filter((p) => p !== 'body');
  const rest = parts[0] === 'environments' ? parts.slice(2) : parts;
  if (rest[0] === 'config') return rest.length > 1 ? `config.${rest[1]}` : 'config';
  return rest[0] ?? null;
}
