import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { CreateRunInput, RunService, SourceService } from '../../src/server/services.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';

/**
 * Stand-ins for the git source and the run service, for tests of code that only calls them:
 * they record every call and answer from a small in-memory model.
 */
export interface FakeSources extends SourceService {
  calls: { method: string; project: string; args: unknown[] }[];
  /** branch name → sha, per project name. */
  branches: Map<string, Map<string, string>>;
  failEnsure: boolean;
}

export function fakeSources(): FakeSources {
  const calls: FakeSources['calls'] = [];
  const branches = new Map<string, Map<string, string>>();
  const record = (method: string, project: ProjectRow, ...args: unknown[]) =>
    calls.push({ method, project: project.name, args });
  const fake: FakeSources = {
    calls,
    branches,
    failEnsure: false,
    async ensureRepository(project) {
      record('ensureRepository', project);
      if (fake.failEnsure) throw new Error('disk full');
    },
    async refresh(project) {
      record('refresh', project);
    },
    async readFile() {
      return null;
    },
    async resolve(project, ref) {
      record('resolve', project, ref);
      return branches.get(project.name)?.get(ref.name) ?? null;
    },
    async commitInfo(project, sha) {
      record('commitInfo', project, sha);
      return { message: `commit ${sha.slice(0, 7)}`, author: 'alice', time: 1_700_000_000_000 };
    },
    async listRefs() {
      return { branches: [], tags: [] };
    },
    async archive() {
      return Readable.from([]);
    },
    async commitDirectory(project, dir, branch, message) {
      record('commitDirectory', project, dir, branch, message);
      const sha = createHash('sha1').update(`${project.name}:${dir}:${calls.length}`).digest('hex');
      if (!branches.has(project.name)) branches.set(project.name, new Map());
      branches.get(project.name)!.set(branch, sha);
      return sha;
    },
    async changedFiles() {
      return [];
    },
  };
  return fake;
}

export interface FakeRuns extends RunService {
  created: CreateRunInput[];
  /** When set, createRun throws it. */
  failWith: Error | null;
}

export function fakeRuns(): FakeRuns {
  const fake: FakeRuns = {
    created: [],
    failWith: null,
    async createRun(input) {
      if (fake.failWith) throw fake.failWith;
      fake.created.push(input);
      const n = fake.created.length;
      return { id: `run-${n}`, number: n, project_id: input.project.id } as RunRow;
    },
    async cancel() {},
    async rerun() {
      throw new Error('not in this fake');
    },
    async playJob() {},
  };
  return fake;
}
