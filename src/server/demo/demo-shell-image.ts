/**
 * The demo must succeed on a machine that cannot pull images (issue #14, "the first hour"). So
 * its first job builds the tiny image the other jobs run in, from files Slipway adds to the demo
 * commit: the host's busybox (or, without one, its `sh` and a few coreutils) with the shared
 * libraries they link, under `image/rootfs/`, and a `FROM scratch` Dockerfile. Nothing is pulled.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
/** Without busybox: a POSIX shell and the few commands the demo pipeline uses. */
const FALLBACK_TOOLS = [
  'sh',
  'cat',
  'mkdir',
  'ls',
  'rm',
  'cp',
  'sleep',
  'env',
  'true',
  'false',
  'echo',
  'test',
];

export interface DemoTree {
  /** The demo directory with `image/` added: what gets committed. */
  dir: string;
  /** Which host binaries the shell image holds (for the server log). */
  shell: 'busybox' | 'coreutils';
  cleanup(): Promise<void>;
}

/** Copies `demoDir` into a temporary directory and adds the shell image's build context. */
export async function prepareDemoTree(demoDir: string): Promise<DemoTree> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-demo-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(demoDir, dir, { recursive: true });
    const rootfs = join(dir, 'image', 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await mkdir(join(rootfs, 'tmp'), { recursive: true });
    await writeFile(join(rootfs, 'tmp', '.keep'), '');
    const busybox = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
    let shell: DemoTree['shell'];
    let install = '';
    if (busybox) {
      await copyBinary(busybox, join(rootfs, 'bin', 'busybox'), rootfs);
      // The exec form needs no shell: busybox itself makes its applet links.
      install = 'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n';
      shell = 'busybox';
    } else {
      for (const tool of FALLBACK_TOOLS) {
        const path = [`/bin/${tool}`, `/usr/bin/${tool}`].find((p) => existsSync(p));
        if (path) await copyBinary(path, join(rootfs, 'bin', tool), rootfs);
      }
      shell = 'coreutils';
    }
    await writeFile(
      join(dir, 'image', 'Dockerfile'),
      "# Made by Slipway at first start from the host's own binaries: nothing is pulled.\n" +
        `FROM scratch\nCOPY rootfs/ /\n${install}ENV PATH=/bin\nCMD ["sh"]\n`,
    );
    return { dir, shell, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Copies a binary and every shared library it links (per `ldd`) to the same paths in rootfs. */
async function copyBinary(from: string, to: string, rootfs: string): Promise<void> {
  await copyFile(from, to);
  await chmod(to, 0o755);
  for (const lib of await linkedLibraries(from)) {
    const target = join(rootfs, lib);
    if (existsSync(target)) continue;
    await mkdir(dirname(target), { recursive: true });
    await copyFile(lib, target);
  }
}

/** Absolute library paths `ldd` lists; none for a static binary (ldd then exits non-zero). */
async function linkedLibraries(binary: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('ldd', [binary], { timeout: 10_000 });
    return [...stdout.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1] as string);
  } catch {
    return [];
  }
}
