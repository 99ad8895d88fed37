/**
 * The build context comes out of the run's workspace volume through the archive API of a
 * created-but-never-started helper container (like the source goes in, see workspace.ts), and
 * streams straight into the build request: read once, filtered by `.dockerignore` on the way,
 * never written to disk.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { extract, pack } from 'tar-stream';
import { DockerIgnore } from './dockerignore.js';
import { isNotFound } from './errors.js';

export interface ContextSource {
  volume: string;
  /** Any image present on the engine (the helper container is never started). */
  image: string;
  workspacePath: string;
  labels: Record<string, string>;
}

/** Go's os.FileMode bits, as the engine's stat header carries them. */
const MODE_DIR = 0x80000000;
const MODE_SYMLINK = 0x08000000;

export type ContextProblem = { kind: 'dockerfile_missing' | 'invalid_context'; message: string };

/** A helper container with the workspace mounted; `close` removes it. */
export class WorkspaceReader {
  private constructor(
    private readonly container: Dockerode.Container,
    private readonly workspacePath: string,
  ) {}

  static async open(docker: Dockerode, source: ContextSource): Promise<WorkspaceReader> {
    const container = await docker.createContainer({
      Image: source.image,
      Entrypoint: ['/bin/true'],
      Labels: source.labels,
      NetworkDisabled: true,
      HostConfig: {
        Mounts: [{ Type: 'volume', Source: source.volume, Target: source.workspacePath, ReadOnly: true }],
      },
    });
    return new WorkspaceReader(container, source.workspacePath);
  }

  /** Absolute path in the helper of a workspace-relative one, or null when it escapes. */
  resolve(relative: string): string | null {
    const abs = posix.normalize(posix.join(this.workspacePath, relative));
    if (abs !== this.workspacePath && !abs.startsWith(`${this.workspacePath}/`)) return null;
    return abs;
  }

  async kind(relative: string): Promise<'file' | 'directory' | 'missing'> {
    const path = this.resolve(relative);
    if (path === null) return 'missing';
    let stat = await this.stat(path);
    // A link that stays in the workspace (checked by symlinkOutside first) is what it points to.
    if (stat !== null && ((stat.mode ?? 0) & MODE_SYMLINK) !== 0 && stat.linkTarget) {
      const target = posix.normalize(stat.linkTarget);
      const inside = target === this.workspacePath || target.startsWith(`${this.workspacePath}/`);
      stat = inside ? await this.stat(target) : null;
    }
    if (stat === null) return 'missing';
    return ((stat.mode ?? 0) & MODE_DIR) !== 0 ? 'directory' : 'file';
  }

  /**
   * The first component of a workspace-relative path that is a symlink pointing outside the
   * workspace (security rule 5), with its target, or null. Each component is asked on its own:
   * the engine resolves a path's symlinks silently, and only reports the last one.
   */
  async symlinkOutside(relative: string): Promise<{ path: string; target: string } | null> {
    const parts = posix
      .normalize(relative)
      .split('/')
      .filter((p) => p !== '' && p !== '.');
    for (let i = 1; i <= parts.length; i += 1) {
      const prefix = parts.slice(0, i).join('/');
      const path = this.resolve(prefix);
      if (path === null) return { path: prefix, target: prefix };
      const stat = await this.stat(path);
      if (stat === null) return null;
      if (((stat.mode ?? 0) & MODE_SYMLINK) === 0 || !stat.linkTarget) continue;
      // The engine gives the target resolved inside the container's filesystem.
      const target = posix.normalize(stat.linkTarget);
      if (target !== this.workspacePath && !target.startsWith(`${this.workspacePath}/`)) {
        return { path: prefix, target };
      }
    }
    return null;
  }

  /** The engine's stat of an absolute path in the helper, or null when it does not exist. */
  private async stat(path: string): Promise<{ mode?: number; linkTarget?: string } | null> {
    try {
      // A HEAD request: dockerode hands back the response, whose X-Docker-Container-Path-Stat
      // header is a base64 JSON stat (name, size, mode, mtime, linkTarget).
      const res = (await this.container.infoArchive({ path })) as {
        headers?: Record<string, unknown>;
        resume?: () => void;
      };
      res.resume?.();
      const header = res.headers?.['x-docker-container-path-stat'];
      if (typeof header !== 'string') return {};
      return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
        mode?: number;
        linkTarget?: string;
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** A small file's text, or null when it does not exist. */
  async readSmallFile(relative: string): Promise<string | null> {
    const path = this.resolve(relative);
    if (path === null) return null;
    let tar: NodeJS.ReadableStream;
    try {
      tar = await this.container.getArchive({ path });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const ex = extract();
    let text: string | null = null;
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (header.type === 'file' && text === null) text = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
      tar.on('error', reject);
      tar.pipe(ex);
    });
    return text;
  }

  /**
   * The context directory as a tar whose names are relative to it, minus what `.dockerignore`
   * excludes (the Dockerfile and `.dockerignore` itself always go, as with the CLI).
   */
  async contextTar(relativeContext: string, keep: string[]): Promise<Readable> {
    const path = this.resolve(relativeContext);
    if (path === null) throw new Error(`context ${relativeContext} is outside the workspace`);
    // One after the other, never at once: the engine holds the container's lock for as long as an
    // archive streams, so a context archive opened first (and not read until the ignore file is)
    // kept the ignore file's archive waiting for that lock forever — a build that never started.
    const ignoreText = await this.readSmallFile(posix.join(relativeContext, '.dockerignore'));
    // `dir/.` makes the engine name entries `./x` rather than `<basename>/x`.
    const source = await this.container.getArchive({ path: `${path}/.` });
    const ignore = new DockerIgnore(ignoreText ?? '');
    const out = pack();
    const ex = extract();
    const always = new Set(['.dockerignore', ...keep]);
    ex.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.\/?/, '').replace(/\/$/, '');
      // The workspace's git checkout (`clone:`) stays out, as BuildKit leaves out a git context's
      // .git: images and their layer cache stay what they were before the workspace had one.
      const checkoutGit = name === '.git' || name.startsWith('.git/');
      if (name === '' || checkoutGit || (!always.has(name) && !ignore.empty && ignore.excludes(name))) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const entry = out.entry({ ...header, name: header.type === 'directory' ? `${name}/` : name }, (err) =>
        next(err ?? undefined),
      );
      stream.pipe(entry);
    });
    ex.on('finish', () => out.finalize());
    ex.on('error', (err: Error) => out.destroy(err));
    source.on('error', (err: Error) => out.destroy(err));
    source.pipe(ex);
    return out as unknown as Readable;
  }

  /** Directory `relative` as a tar named relative to it, or null when it is not a directory. */
  async directoryTar(relative: string): Promise<Readable | null> {
    const path = this.resolve(relative);
    if (path === null) return null;
    const stat = await this.stat(path);
    if (stat === null || ((stat.mode ?? 0) & MODE_DIR) === 0) return null;
    // `dir/.` makes the engine name entries `./x`, relative to the directory.
    return (await this.container.getArchive({ path: `${path}/.` })) as unknown as Readable;
  }

  async close(): Promise<void> {
    await this.container.remove({ force: true }).catch(() => {});
  }
}
