import { PassThrough, type Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { fullRef, type Ref } from '../../domain/ref.js';
import { AppError, invalid, notFound, unavailable } from '../errors.js';
import type { RefInfo, SourceService } from '../services.js';
import type { ProjectRow } from '../store/tables.js';
import { type CheckoutOptions, checkoutArchive } from './checkout-archive.js';
import { commitDirectory } from './commit-directory.js';
import { GitError, spawnGit } from './git-cli.js';
import { BlobTooLarge, diffNames, listRefValues, readBlob, readCommit, resolveCommit } from './git-reads.js';
import { mergeBase } from './merge-base.js';
import { fetchMirror } from './mirror-fetch.js';
import { createOutboundPolicy, type OutboundPolicy, OutboundRefused } from './outbound-policy.js';
import { isSafeRefName } from './ref-names.js';
import { parseRemoteUrl, RemoteUrlError, redactRemoteUrl } from './remote-url.js';
import { initBareRepo, repoExists } from './repo-init.js';
import { repoPath } from './repo-paths.js';
import { SerialByKey } from './serial-by-key.js';
import { listTreeFiles } from './tree-files.js';

export interface GitSourceDeps {
  dataDir: string;
  log: FastifyBaseLogger;
  /** Admin allowlist for remotes on non-public addresses (see outbound-policy.ts); default none. */
  outboundAllowlist?: readonly string[];
  /** Replaces the allowlist-based policy entirely. */
  outbound?: OutboundPolicy;
  /** Largest file `readFile` returns (default 1 MiB). */
  maxFileBytes?: number;
  /** Largest pack a push may send to a built-in repository (default 1 GiB). */
  maxPushBytes?: number;
  fetchTimeoutMs?: number;
  now?: () => number;
}

/**
 * SourceService on the git CLI. Built-in projects: a bare repository at
 * `<dataDir>/repos/<id>.git` that users push to over smart HTTP. Remote projects: a mirror at
 * `<dataDir>/mirrors/<id>.git`, fetched by `refresh`. Reads answer from whichever the project
 * has; a repository that does not exist yet reads as empty.
 * Writes to one repository are serialised; reads run concurrently (git's refs and objects are
 * safe to read while written).
 */
export class GitSourceService implements SourceService {
  private readonly serial = new SerialByKey();
  private readonly outbound: OutboundPolicy;

  constructor(readonly deps: GitSourceDeps) {
    this.outbound = deps.outbound ?? createOutboundPolicy({ allowlist: deps.outboundAllowlist ?? [] });
  }

  /** The git directory of a project (exists or not). */
  gitDir(project: Pick<ProjectRow, 'id' | 'source_kind'>): string {
    return repoPath(this.deps.dataDir, project);
  }

  async ensureRepository(project: ProjectRow): Promise<void> {
    if (project.source_kind !== 'builtin') return;
    const gitDir = this.gitDir(project);
    if (repoExists(gitDir)) return;
    const maxPush = this.deps.maxPushBytes ?? 1024 * 1024 * 1024;
    await this.serial.run(gitDir, () =>
      initBareRepo(gitDir, {
        defaultBranch: project.default_branch,
        config: [
          // Pushes are authenticated by the HTTP route before git sees them.
          ['http.receivepack', 'true'],
          ['receive.maxInputSize', String(maxPush)],
        ],
      }),
    );
  }

  async refresh(project: ProjectRow): Promise<void> {
    if (project.source_kind !== 'remote') return;
    if (!project.remote_url) throw invalid('remote_url', `project ${project.name} has no remote URL`);
    const gitDir = this.gitDir(project);
    const remote = project.remote_url;
    await this.serial.coalesced(gitDir, async () => {
      let location: ReturnType<typeof parseRemoteUrl>;
      let pinned: string[];
      try {
        location = parseRemoteUrl(remote);
        pinned = (await this.outbound.check(location)).pinnedAddresses;
      } catch (error) {
        if (error instanceof RemoteUrlError || error instanceof OutboundRefused) {
          throw invalid('remote_url', error.message);
        }
        throw error;
      }
      await initBareRepo(gitDir, {
        defaultBranch: project.default_branch,
        config: [['http.receivepack', 'false']],
      });
      try {
        await fetchMirror(gitDir, location, {
          pinnedAddresses: pinned,
          forge: project.forge,
          timeoutMs: this.deps.fetchTimeoutMs ?? 10 * 60_000,
        });
      } catch (error) {
        if (!(error instanceof GitError)) throw error;
        // stderr names the credential-free URL at most (credentials travel as a header).
        this.deps.log.warn(
          {
            project: project.name,
            remote: redactRemoteUrl(remote),
            reason: error.reason,
            stderr: error.stderr,
          },
          'fetching the remote failed',
        );
        throw unavailable(`fetching ${redactRemoteUrl(remote)} failed`);
      }
    });
  }

  async remoteRefusal(project: ProjectRow): Promise<string | null> {
    if (project.source_kind !== 'remote' || !project.remote_url) return null;
    try {
      await this.outbound.check(parseRemoteUrl(project.remote_url));
      return null;
    } catch (error) {
      if (error instanceof RemoteUrlError || error instanceof OutboundRefused) return error.message;
      throw error;
    }
  }

  async readFile(project: ProjectRow, ref: string, path: string): Promise<string | null> {
    const gitDir = this.gitDir(project);
    if (!repoExists(gitDir)) return null;
    const sha = await resolveCommit(gitDir, ref);
    if (!sha) return null;
    try {
      const bytes = await readBlob(gitDir, sha, path, this.deps.maxFileBytes ?? 1024 * 1024);
      return bytes === null ? null : bytes.toString('utf8');
    } catch (error) {
      if (error instanceof BlobTooLarge) throw new AppError('too_large', error.message);
      throw error;
    }
  }

  async listFiles(project: ProjectRow, ref: string, dir: string): Promise<string[]> {
    const gitDir = this.gitDir(project);
    if (!repoExists(gitDir)) return [];
    const sha = await resolveCommit(gitDir, ref);
    return sha ? listTreeFiles(gitDir, sha, dir) : [];
  }

  async resolve(project: ProjectRow, ref: Ref): Promise<string | null> {
    const gitDir = this.gitDir(project);
    if (!repoExists(gitDir) || !isSafeRefName(ref.name)) return null;
    return resolveCommit(gitDir, fullRef(ref));
  }

  async commitInfo(
    project: ProjectRow,
    sha: string,
  ): Promise<{ message: string; author: string; time: number; sha?: string } | null> {
    const gitDir = this.gitDir(project);
    return repoExists(gitDir) ? readCommit(gitDir, sha) : null;
  }

  async listRefs(project: ProjectRow): Promise<{ branches: RefInfo[]; tags: RefInfo[] }> {
    const gitDir = this.gitDir(project);
    const branches: RefInfo[] = [];
    const tags: RefInfo[] = [];
    if (!repoExists(gitDir)) return { branches, tags };
    for (const value of await listRefValues(gitDir)) {
      // A tag of a tree or blob cannot be built; leave it out.
      if (!value.commit) continue;
      if (value.ref.startsWith('refs/heads/')) {
        branches.push({ name: value.ref.slice('refs/heads/'.length), sha: value.commit });
      } else if (value.ref.startsWith('refs/tags/')) {
        tags.push({ name: value.ref.slice('refs/tags/'.length), sha: value.commit });
      }
    }
    return { branches, tags };
  }

  async archive(project: ProjectRow, sha: string): Promise<Readable> {
    const gitDir = this.gitDir(project);
    const commit = repoExists(gitDir) ? await resolveCommit(gitDir, sha) : null;
    if (!commit) throw notFound(`commit ${sha.slice(0, 12)}`);
    const child = spawnGit(['archive', '--format=tar', '--end-of-options', commit], {
      env: { GIT_DIR: gitDir },
      timeoutMs: 30 * 60_000,
    });
    child.stdin.end();
    // The tar ends only when git says it succeeded: a failure midway must not look like a
    // complete (shorter) archive to whoever unpacks it.
    const out = new PassThrough();
    child.stdout.pipe(out, { end: false });
    out.on('close', () => child.kill());
    child.exited.then(
      ({ code, stderr }) => {
        if (code === 0) out.end();
        else out.destroy(new GitError(`git archive failed (exit ${code})`, 'exit', stderr));
      },
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  async checkout(project: ProjectRow, sha: string, opts: CheckoutOptions): Promise<Readable> {
    const gitDir = this.gitDir(project);
    const commit = repoExists(gitDir) ? await resolveCommit(gitDir, sha) : null;
    if (!commit) throw notFound(`commit ${sha.slice(0, 12)}`);
    return checkoutArchive(gitDir, commit, opts);
  }

  async commitDirectory(project: ProjectRow, dir: string, branch: string, message: string): Promise<string> {
    if (project.source_kind !== 'builtin') {
      throw invalid('project', `project ${project.name} mirrors a remote; its branches come from there`);
    }
    if (!isSafeRefName(branch) || branch.startsWith('refs/')) throw invalid('branch', `invalid branch name`);
    await this.ensureRepository(project);
    const gitDir = this.gitDir(project);
    const now = this.deps.now ?? Date.now;
    return this.serial.run(gitDir, () => commitDirectory(gitDir, dir, branch, message, now));
  }

  async changedFiles(
    project: ProjectRow,
    before: string | null,
    after: string,
    newBranchBase?: string,
  ): Promise<string[]> {
    const gitDir = this.gitDir(project);
    if (!repoExists(gitDir)) return [];
    // A new branch: everything since it left the default branch (its first parent otherwise).
    const from = before ?? (newBranchBase ? await mergeBase(gitDir, newBranchBase, after) : null);
    return diffNames(gitDir, from === after ? before : from, after);
  }
}
