/**
 * DaoCloud's `env:` lines (`KEY = "value"`, several per line like Travis CI) and its named
 * services (`mysql`, `mongodb`, …), which DaoCloud started from its own images and announced to
 * the job through Docker-link variables.
 */
import type { Scalar, ServiceDraft } from '../draft.js';

const ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("([^"]*)"|'([^']*)'|[^\s"']*)/g;

/** Each line's assignments, in order. */
export function envLines(value: unknown): Record<string, string>[] {
  const lines = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return lines.map((line) => {
    const out: Record<string, string> = {};
    for (const m of String(line).matchAll(ASSIGNMENT)) out[m[1] as string] = m[3] ?? m[4] ?? (m[2] as string);
    return out;
  });
}

/**
 * Lines that each set the same several variables are a build matrix (one job per line, as
 * Travis CI — where such files came from — reads them); otherwise the lines are plain variables.
 */
export function envOf(value: unknown): {
  variables: Record<string, Scalar>;
  matrix?: Record<string, Scalar[]>[];
} {
  const lines = envLines(value);
  const keyed = lines.filter((l) => Object.keys(l).length > 0);
  const repeated =
    keyed.length > 1 &&
    keyed.every((l) => Object.keys(l).length > 1) &&
    new Set(keyed.map((l) => Object.keys(l).sort().join(','))).size === 1;
  if (repeated)
    return {
      variables: {},
      matrix: keyed.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, [v]]))),
    };
  return { variables: Object.assign({}, ...keyed) };
}

interface KnownService {
  image: string;
  port: number;
  env?: Record<string, string>;
}

/** DaoCloud's service names, with the official images closest to what it ran (2015–2018). */
const KNOWN: Record<string, KnownService> = {
  mysql: { image: 'mysql:5.7', port: 3306, env: { MYSQL_ALLOW_EMPTY_PASSWORD: 'yes' } },
  mongodb: { image: 'mongo:3.6', port: 27017 },
  redis: { image: 'redis:4', port: 6379 },
  postgresql: { image: 'postgres:9.6', port: 5432, env: { POSTGRES_HOST_AUTH_METHOD: 'trust' } },
  rabbitmq: { image: 'rabbitmq:3', port: 5672 },
  memcached: { image: 'memcached:1.5', port: 11211 },
  elasticsearch: { image: 'elasticsearch:5', port: 9200 },
  influxdb: { image: 'influxdb:1.8', port: 8086 },
};

export interface ServicesResult {
  services: Record<string, ServiceDraft>;
  /** The Docker-link variables DaoCloud set (`MYSQL_PORT_3306_TCP_ADDR`, …). */
  linkVariables: Record<string, string>;
  unknown: string[];
}

export function servicesOf(value: unknown, jobVariables: Record<string, Scalar>): ServicesResult {
  const names = Array.isArray(value) ? value.map(String) : [];
  const out: ServicesResult = { services: {}, linkVariables: {}, unknown: [] };
  for (const name of names) {
    const known = KNOWN[name];
    if (!known) {
      out.unknown.push(name);
      out.services[name.replace(/[^A-Za-z0-9_.-]/g, '-')] = { image: name };
      continue;
    }
    const env: Record<string, string> = { ...known.env };
    const database = jobVariables[`${name.toUpperCase()}_INSTANCE_NAME`];
    if (name === 'mysql' && database) env.MYSQL_DATABASE = String(database);
    if (name === 'postgresql' && database) env.POSTGRES_DB = String(database);
    out.services[name] = { image: known.image, ...(Object.keys(env).length > 0 ? { variables: env } : {}) };
    const prefix = `${name.toUpperCase()}_PORT_${known.port}_TCP`;
    out.linkVariables[`${prefix}_ADDR`] = name;
    out.linkVariables[`${prefix}_PORT`] = String(known.port);
  }
  return out;
}

/** DaoCloud's CI images (`daocloud/ci-python:2.7`) are gone; the official ones they wrapped. */
export function officialImage(image: string): string | null {
  const m = /^(?:daocloud\.io\/)?daocloud\/ci-([a-z]+):?(.*)$/.exec(image);
  if (!m) return null;
  const lang = m[1] as string;
  const tag = m[2] || 'latest';
  const map: Record<string, (t: string) => string> = {
    golang: (t) => `golang:${t}`,
    python: (t) => `python:${t}`,
    node: (t) => `node:${t}`,
    php: (t) => `php:${t}`,
    ruby: (t) => `ruby:${t}`,
    gcc: (t) => `gcc:${t}`,
    java: (t) => `openjdk:${t.replace(/^oraclejdk/, '')}`,
  };
  return map[lang]?.(tag) ?? null;
}
