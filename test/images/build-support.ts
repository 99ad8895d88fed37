/** Shared setup of the build tests: a workspace from files, a backend, an output recorder. */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import type { BuildSpec, JobOutput } from '../../src/backends/backend.js';
import type { DockerBackend } from '../../src/backends/docker/docker-backend.js';

export const WORKSPACE = '/workspace';
export const TEST_REPO_PREFIX = 'slipway-test-build';

export class Recorder implements JobOutput {
  readonly lines: string[] = [];
  write(_stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
  }
  system(text: string): void {
    this.lines.push(`[system] ${text}`);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export function newRunId(): string {
  return `tb-${randomUUID().slice(0, 8)}`;
}

/** Sets up a run whose workspace holds `files`; returns the run id. */
export async function setupWorkspace(backend: DockerBackend, files: Record<string, string>): Promise<string> {
  const runId = newRunId();
  const dir = await mkdtemp(join(tmpdir(), 'slipway-build-src-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    await backend.setupRun({
      runId,
      workspacePath: WORKSPACE,
      source: { kind: 'directory', path: dir, files: Object.keys(files) },
      images: [],
      labels: { 'io.slipway.owner': `test:${process.pid}` },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return runId;
}

export function buildSpec(runId: string, overrides: Partial<BuildSpec> = {}): BuildSpec {
  return {
    runId,
    name: 'build',
    workspacePath: WORKSPACE,
    dockerfile: 'Dockerfile',
    context: '.',
    target: null,
    args: {},
    labels: { 'io.slipway.run': runId },
    cacheFrom: [],
    repository: `${TEST_REPO_PREFIX}/${runId}`,
    tags: ['t1'],
    push: false,
    registry: null,
    credentials: null,
    secrets: {},
    ...overrides,
  };
}

/** Removes every image of a repository (all tags), ignoring what is already gone. */
export async function removeRepository(docker: Dockerode, repository: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [repository] } });
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    }
  }
}
