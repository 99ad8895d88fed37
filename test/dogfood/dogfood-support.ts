/**
 * Helpers of the dogfood test (Slipway delivers Slipway): the offline Node images from the
 * user-facing script, a clone of this repository's committed HEAD, and a small API client.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { git } from '../support/git.js';

const execFileAsync = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * True when this test must run: always in CI (CI=true), elsewhere only with a Docker engine.
 * In CI a missing engine is a failure, never a silent skip.
 */
export function dogfoodShouldRun(): boolean {
  return process.env.CI === 'true' || existsSync('/var/run/docker.sock');
}

/** Builds (or finds) slipway/node:<major> and its -slim twin with the script the README documents. */
export async function ensurePipelineImages(): Promise<string> {
  try {
    const { stdout } = await execFileAsync('bash', [join(REPO_ROOT, 'scripts/node-image.sh')], {
      timeout: 30 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/node-image.sh failed: ${e.stderr || e.stdout || e.message}`);
  }
}

export interface SelfClone {
  dir: string;
  git(...args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * A clone of this repository's committed HEAD on branch `main`, with `.slipway.yml`'s REGISTRY
 * pointed at `registry` in one commit — what a team does once to name its own registry.
 */
export async function cloneSelf(registry: string): Promise<SelfClone> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-dogfood-clone-'));
  await git(tmpdir(), ['clone', '-q', '--no-hardlinks', REPO_ROOT, dir]);
  const run = (...args: string[]) => git(dir, args);
  await run('checkout', '-q', '-B', 'main');
  const configPath = join(dir, '.slipway.yml');
  const config = await readFile(configPath, 'utf8');
  const pointed = config.replace(/^( {2}REGISTRY:).*$/m, `$1 ${registry}`);
  assert.notEqual(pointed, config, '.slipway.yml names its registry in a REGISTRY variable');
  await writeFile(configPath, pointed);
  await run('commit', '-q', '-am', `ci: push images to ${registry}`);
  return { dir, git: run, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunJson {
  number: number;
  status: string;
  durationMs: number | null;
  jobs: {
    name: string;
    stage: string;
    status: string;
    manual: boolean;
    startedAt: number | null;
    finishedAt: number | null;
  }[];
}

export interface TestsJson {
  summary: { total: number; passed: number; failed: number; coverage?: number | null } | null;
  jobs: { job: string; total: number; passed: number; failed: number; coverage: number | null }[];
}

export interface ImagesJson {
  repositories: {
    repository: string;
    tags: { tag: string; digest: string | null; pushed: boolean; run: { number: number } }[];
  }[];
}

export interface ReleaseJson {
  number: number;
  environment: string;
  digest: string | null;
  image: string | null;
  trigger: string;
  status: string;
  reason: string | null;
}

/** fetch with a bearer token; throws with the server's answer on a non-2xx. */
export function apiClient(url: string, token: string) {
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
    const text = await res.text();
    assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

const ENDED = ['succeeded', 'failed', 'canceled', 'skipped'];

/**
 * Waits until every job that is not waiting for a click has ended (the production job waits for
 * one), then returns the run.
 */
export async function waitForRun(
  api: ReturnType<typeof apiClient>,
  project: string,
  number: number,
  timeoutMs: number,
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  let last: RunJson | null = null;
  // The run's own status is settled just after its last job ends: give it a moment to follow.
  let jobsEndedAt = 0;
  while (Date.now() < deadline) {
    last = await api<RunJson>(`/api/projects/${project}/runs/${number}`);
    if (ENDED.includes(last.status)) return last;
    const pending = last.jobs.filter((j) => !ENDED.includes(j.status) && j.status !== 'manual');
    if (last.jobs.length > 0 && pending.length === 0) {
      jobsEndedAt ||= Date.now();
      if (Date.now() - jobsEndedAt > 30_000) return last;
    } else jobsEndedAt = 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`run #${number} did not end in time; last seen: ${JSON.stringify(last)}`);
}

/** The log of every job of a run, so a failed assertion says why. */
export async function runLogs(url: string, token: string, project: string, run: RunJson): Promise<string> {
  const parts: string[] = [];
  for (const job of run.jobs) {
    const res = await fetch(
      `${url}/api/projects/${project}/runs/${run.number}/jobs/${encodeURIComponent(job.name)}/logs/raw`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const text = await res.text();
    // The end of a long log is where a failure is.
    parts.push(`--- ${job.name} (${job.status})\n${text.slice(-6000)}`);
  }
  return parts.join('\n');
}

/** One job's whole log. */
export async function jobLog(
  url: string,
  token: string,
  project: string,
  run: number,
  job: string,
): Promise<string> {
  const res = await fetch(
    `${url}/api/projects/${project}/runs/${run}/jobs/${encodeURIComponent(job)}/logs/raw`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  assert.equal(res.status, 200, `log of ${job}`);
  return res.text();
}
