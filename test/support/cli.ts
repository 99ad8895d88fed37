/**
 * End-to-end helpers: a throwaway git repository to run `slipway` in, and the CLI itself as a
 * real subprocess (`node bin/slipway.js …`) with its output captured and a hard kill timeout,
 * so that a hung run fails its test instead of hanging CI.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';

const execFileAsync = promisify(execFile);

export const SLIPWAY_BIN = fileURLToPath(new URL('../../bin/slipway.js', import.meta.url));

/** Default hard limit for one CLI run; generous, since a healthy e2e run takes a few seconds. */
export const DEFAULT_KILL_AFTER_MS = 60_000;

export interface RepoSpec {
  /** Contents of `.slipway.yml`, committed. */
  config: string;
  /** Branch created by `git init -b`; default `main`. */
  branch?: string;
  /** More files to commit (path → contents); parent directories are created. */
  files?: Record<string, string>;
  /** Files written after the commit and never added (pair with a `.gitignore` in `files`). */
  untracked?: Record<string, string>;
}

export interface TempRepo {
  dir: string;
  branch: string;
  /** `git rev-parse HEAD` and `git rev-parse --short=7 HEAD`. */
  sha: string;
  shortSha: string;
  /** Removes the directory; safe to call twice. */
  cleanup(): Promise<void>;
}

/** git with an argument array in `cwd`; its stdout, trimmed. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd });
  return stdout.trim();
}

/** A fresh repository in a temp directory with the given files and exactly one commit. */
export async function makeRepo(spec: RepoSpec): Promise<TempRepo> {
  const branch = spec.branch ?? 'main';
  const dir = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await writeFiles(dir, { '.slipway.yml': spec.config, ...spec.files });
    await git(dir, ['init', '-q', '-b', branch]);
    await git(dir, ['add', '-A']);
    await git(dir, [
      '-c',
      'user.name=Slipway E2E',
      '-c',
      'user.email=e2e@slipway.invalid',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'e2e fixture',
    ]);
    await writeFiles(dir, spec.untracked ?? {});
    const sha = await git(dir, ['rev-parse', 'HEAD']);
    const shortSha = await git(dir, ['rev-parse', '--short=7', 'HEAD']);
    return { dir, branch, sha, shortSha, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, contents] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, contents);
  }
}

export interface CliOptions {
  cwd: string;
  /** SIGKILL after this long; the result then has `killedByTimeout`. */
  killAfterMs?: number;
  /** Extra environment on top of this process's (NO_COLOR is always set). */
  env?: Record<string, string>;
  /** Written to the CLI's stdin, which is then closed (default: no stdin). */
  stdin?: string;
}

export interface CliResult {
  /** Exit code, or null when the process died of a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** The hard timeout fired: the CLI hung (or was too slow) and was killed. */
  killedByTimeout: boolean;
  durationMs: number;
}

/** A running `slipway` subprocess. */
export class CliProcess {
  readonly pid: number;
  readonly done: Promise<CliResult>;
  private out = '';
  private err = '';
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[], options: CliOptions) {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
    // Set by `node --test` for its own children; the CLI is not a test file.
    delete env.NODE_TEST_CONTEXT;
    const started = Date.now();
    this.child = spawn(process.execPath, [SLIPWAY_BIN, ...args], {
      cwd: options.cwd,
      env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error('could not spawn the slipway CLI');
    if (options.stdin !== undefined) this.child.stdin?.end(options.stdin);
    this.pid = this.child.pid;
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (text: string) => {
      this.out += text;
      this.notify();
    });
    this.child.stderr?.on('data', (text: string) => {
      this.err += text;
      this.notify();
    });

    let killedByTimeout = false;
    const timer = setTimeout(() => {
      killedByTimeout = true;
      this.child.kill('SIGKILL');
    }, options.killAfterMs ?? DEFAULT_KILL_AFTER_MS);
    this.done = new Promise<CliResult>((resolve, reject) => {
      this.child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      // 'close', not 'exit': it waits for stdout/stderr to be fully read.
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.notify();
        resolve({
          code,
          signal,
          stdout: this.out,
          stderr: this.err,
          pid: this.pid,
          killedByTimeout,
          durationMs: Date.now() - started,
        });
      });
    }).then(async (result) => {
      // A killed CLI could not clean up; do it for it so the next tests start clean.
      if (result.killedByTimeout) await sweepOwner(ownerOf(result.pid)).catch(() => {});
      return result;
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves once stdout+stderr match; rejects after `timeoutMs` or if the process ends first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let finished = false;
      const check = () => {
        if (finished) return;
        if (pattern.test(this.out) || pattern.test(this.err)) {
          end();
          resolve();
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          end();
          reject(new Error(`slipway exited before printing ${pattern}:\n${this.out}\n${this.err}`));
        }
      };
      const timer = setTimeout(() => {
        end();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.out}\n${this.err}`));
      }, timeoutMs);
      const end = () => {
        finished = true;
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Starts `node bin/slipway.js <args>`. */
export function startCli(args: string[], options: CliOptions): CliProcess {
  return new CliProcess(args, options);
}

/** Runs `node bin/slipway.js <args>` to the end. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * `slipway exec --backend docker --no-warm <args>` in the repository. No warm containers: each
 * test's repository is a throwaway, so a set prepared for its next exec would only idle until it
 * expires (test/backends/docker-warm.test.ts covers them).
 */
export function execDocker(repo: TempRepo, args: string[] = [], options: Partial<CliOptions> = {}) {
  return runCli(['exec', '--backend', 'docker', '--no-warm', ...args], { cwd: repo.dir, ...options });
}

/** The `io.slipway.owner` label value `slipway exec` uses: this host and the CLI's pid. */
export function ownerOf(pid: number): string {
  return `${hostname()}:${pid}`;
}

/** Slipway-managed containers, networks and volumes still carrying this owner, by name. */
export async function ownedResources(docker: Dockerode, owner: string): Promise<string[]> {
  const filters = { label: ['io.slipway.managed=true', `io.slipway.owner=${owner}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return [
    ...containers.map((c) => `container ${c.Names[0] ?? c.Id}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...(volumes.Volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
}

/** Force-removes what a (killed) CLI left behind: containers, then networks, then volumes. */
export async function sweepOwner(owner: string): Promise<void> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  const filters = { label: ['io.slipway.managed=true', `io.slipway.owner=${owner}`] };
  const ignore = () => {};
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(ignore)));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(ignore)));
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  await Promise.all((volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(ignore)));
}

/** A transition or log line of `slipway exec`: `<job padded> │ <text>`. */
export interface JobLine {
  job: string;
  text: string;
}

/** Every job-prefixed line of exec's stdout, without the `$ command` echo of script steps. */
export function jobLines(stdout: string): JobLine[] {
  const lines: JobLine[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^(\S+) *│ (.*)$/.exec(line);
    if (!match) continue;
    const text = match[2] as string;
    if (text.startsWith('\u001b[32;1m$ ')) continue;
    lines.push({ job: match[1] as string, text });
  }
  return lines;
}

/** The texts one job printed (its output and transitions, not its echoed commands). */
export function linesOf(stdout: string, job: string): string[] {
  return jobLines(stdout)
    .filter((l) => l.job === job)
    .map((l) => l.text);
}

/** The last non-empty line: exec's summary. */
export function summaryLine(stdout: string): string {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return lines.at(-1) ?? '';
}

/** Both streams, for messages whose stream does not matter to the test. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code ?? result.signal}${result.killedByTimeout ? ' (killed by timeout)' : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
