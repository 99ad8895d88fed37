/**
 * A `build:` job of the plan → the BuildSpec a backend builds: which repository (and registry),
 * whose credentials, which secrets, which earlier image to take layers from. Decisions only,
 * no I/O; problems a user must fix come back as a message.
 */
import type { BuildSpec, RegistryCredentials } from '../backends/backend.js';
import { registryOf } from '../domain/image-reference.js';
import type { Plan, PlanBuild, PlanJob } from '../pipeline/plan/plan.js';

export interface RegistryLogin extends RegistryCredentials {
  host: string;
}

/**
 * What the server allows build jobs to push (security rules 1 and 11): nothing for an untrusted
 * run (fork pull request), and no job whose push target the server refused.
 */
export interface PushPolicy {
  trusted: boolean;
  /** Per job name: why its push target is refused. */
  refusals: Record<string, string>;
}

export interface BuildInputs {
  plan: Plan;
  job: PlanJob & { build: PlanBuild };
  runId: string;
  workspacePath: string;
  /** Repository used when the build names none (the project's name). */
  defaultRepository: string;
  /** Project name for the `io.slipway.project` label. */
  project: string;
  secrets: Record<string, string>;
  registries: RegistryLogin[];
  pushTimeoutMs?: number;
  /** Absent: everything may push (a local run without a server). */
  pushPolicy?: PushPolicy;
}

export function buildSpecFor(
  input: BuildInputs,
): { ok: true; spec: BuildSpec; notPushed?: string } | { ok: false; message: string } {
  const { build } = input.job;
  const named = build.repository ?? input.defaultRepository;
  const hostInName = registryOf(named);
  const registry = build.registry ?? hostInName;
  // `registry: r.example` with `image: team/api` pushes r.example/team/api.
  const repository = registry !== null && hostInName === null ? `${registry}/${named}` : named;
  if (build.registry !== null && hostInName !== null && hostInName !== build.registry) {
    return {
      ok: false,
      message: `build.image "${named}" names registry ${hostInName} but build.registry is ${build.registry}`,
    };
  }
  const wanted = build.push ?? registry !== null;
  if (wanted && registry === null) {
    return {
      ok: false,
      message: `job "${input.job.name}" has push: true but no registry (set build.registry, or a host in build.image)`,
    };
  }
  const refused = input.pushPolicy?.refusals[input.job.name];
  if (wanted && refused !== undefined) return { ok: false, message: refused };
  // An untrusted run still builds (the pull request is checked), but the image stays local.
  const untrusted = wanted && input.pushPolicy?.trusted === false;
  const push = wanted && !untrusted;
  const missing = build.secrets.filter((name) => input.secrets[name] === undefined);
  if (missing.length > 0) {
    return {
      ok: false,
      message: `build secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set (job "${input.job.name}" names ${missing.length > 1 ? 'them' : 'it'} in build.secrets)`,
    };
  }
  const login = registry === null ? undefined : input.registries.find((r) => r.host === registry);
  const { event } = input.plan;
  const cacheFrom: string[] = [];
  if (build.cache) {
    // The newest earlier build of this branch (tags `branch-<sha>`), and the main line's latest.
    if (event.ref.kind === 'branch') cacheFrom.push(`${repository}:${event.ref.name.replaceAll('/', '-')}-*`);
    cacheFrom.push(`${repository}:latest`);
  }
  return {
    ok: true,
    spec: {
      runId: input.runId,
      name: input.job.name,
      workspacePath: input.workspacePath,
      dockerfile: build.dockerfile,
      context: build.context,
      target: build.target,
      args: build.args,
      labels: {
        // Not `io.slipway.run`: containers inherit image labels, and that one marks what a run's
        // cleanup removes — a deployed container of this image would die with the build's run.
        'io.slipway.build.run': input.runId,
        'io.slipway.project': input.project,
        'io.slipway.record': input.plan.record,
        'org.opencontainers.image.revision': event.sha,
      },
      cacheFrom,
      repository,
      tags: build.tags,
      push,
      registry: push ? registry : null,
      credentials: push && login ? { username: login.username, password: login.password } : null,
      secrets: Object.fromEntries(build.secrets.map((name) => [name, input.secrets[name] as string])),
      ...(input.pushTimeoutMs !== undefined ? { pushTimeoutMs: input.pushTimeoutMs } : {}),
    },
    ...(untrusted
      ? {
          notPushed: `not pushing ${repository}: this run comes from an untrusted event (a fork pull request), so its image stays on the build engine`,
        }
      : {}),
  };
}

/** A project name as a repository: lowercase, separators Docker accepts. */
export function repositoryFromName(name: string): string {
  const clean = name
    .toLowerCase()
    .replace(/[^a-z0-9._/-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return clean || 'slipway-build';
}
