/**
 * One `build:` job on the Docker engine: the context streams out of the workspace volume into
 * `POST /build` (BuildKit when the engine has it, else the classic builder), the progress
 * becomes log lines, then every tag is pushed when asked. Every failure is a BuildOutcome with
 * a message that names what to fix; none of them may contain a credential or secret, so they
 * are scrubbed before they leave.
 */
import { posix } from 'node:path';
import type Dockerode from 'dockerode';
import { repositoryProblem, tagProblem } from '../../domain/image-reference.js';
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { BuildOutcome, BuildSpec, JobOutput } from '../backend.js';
import type { WorkspaceReader } from './build-context.js';
import { BuildProgress } from './build-progress.js';
import { type BuildSession, openBuildSession } from './buildkit-session.js';
import { pushTag } from './docker-push.js';
import { engineMessage } from './errors.js';

export interface BuildEnvironment {
  docker: Dockerode;
  /** Reads the run's workspace; owned (and removed) by the backend, shared by the run's builds. */
  reader: WorkspaceReader;
  buildkit: boolean;
  /** Default bound of each push. */
  pushTimeoutMs: number;
}

const DEFAULT_PUSH_TIMEOUT_MS = 60_000;

export async function buildImage(
  env: BuildEnvironment,
  spec: BuildSpec,
  output: JobOutput,
  signal: AbortSignal,
): Promise<BuildOutcome> {
  const hidden = [spec.credentials?.password, ...Object.values(spec.secrets)].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  const scrub = (text: string): string => hidden.reduce((t, h) => t.split(h).join('********'), text);
  const outcome = await build(env, spec, output, signal, scrub);
  return 'message' in outcome ? { ...outcome, message: scrub(outcome.message) } : outcome;
}

async function build(
  env: BuildEnvironment,
  spec: BuildSpec,
  output: JobOutput,
  signal: AbortSignal,
  scrub: (text: string) => string,
): Promise<BuildOutcome> {
  const problem = repositoryProblem(spec.repository) ?? firstOf(spec.tags.map(tagProblem));
  if (problem) return { kind: 'invalid_reference', message: problem };
  if (spec.tags.length === 0) return { kind: 'invalid_reference', message: 'the build has no tags' };
  if (Object.keys(spec.secrets).length > 0 && !env.buildkit) {
    return {
      kind: 'build_failed',
      message:
        'build secrets need BuildKit, which this Docker engine does not offer; the build was not started',
    };
  }
  if (signal.aborted) return { kind: 'aborted' };

  const { reader } = env;
  let session: BuildSession | null = null;
  let imageId: string;
  try {
    // Security rule 5: a repository may hold a symlink named as the context or Dockerfile (or a
    // directory on their way) that points out of the workspace; the engine would follow it.
    for (const [field, path] of [
      ['build.context', spec.context],
      ['build.dockerfile', spec.dockerfile],
    ] as const) {
      const outside = await reader.symlinkOutside(path);
      if (outside) {
        return {
          kind: 'dockerfile_missing',
          message: `${field} "${path}" goes through the symlink "${outside.path}", which points outside the workspace (${outside.target}); the build was refused`,
        };
      }
    }
    const [contextKind, dockerfileKind] = await Promise.all([
      reader.kind(spec.context),
      reader.kind(spec.dockerfile),
    ]);
    if (contextKind !== 'directory') {
      return {
        kind: 'dockerfile_missing',
        message: `build context "${spec.context}" is not a directory of the workspace`,
      };
    }
    if (dockerfileKind !== 'file') {
      return {
        kind: 'dockerfile_missing',
        message: `Dockerfile "${spec.dockerfile}" not found in the workspace (build.dockerfile, relative to the repository root)`,
      };
    }
    const dockerfileInContext = posix.relative(
      posix.normalize(spec.context),
      posix.normalize(spec.dockerfile),
    );
    if (dockerfileInContext.startsWith('..')) {
      return {
        kind: 'dockerfile_missing',
        message: `Dockerfile "${spec.dockerfile}" is outside the build context "${spec.context}"; move it into the context`,
      };
    }
    if (Object.keys(spec.secrets).length > 0) {
      try {
        session = await openBuildSession(env.docker, spec.secrets);
      } catch (err) {
        return {
          kind: 'build_failed',
          message: `build secrets need a BuildKit session, which could not be opened: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    }
    const tar = await reader.contextTar(spec.context, [dockerfileInContext]);
    const cacheFrom = spec.cacheFrom.length > 0 ? await presentImages(env.docker, spec.cacheFrom) : [];
    const images = cacheFrom.join(', ');
    if (cacheFrom.length > 0)
      writeSystemLine(output, 'image.reusing_layers', { images }, `reusing layers of ${images}`);
    const progress = new BuildProgress((line) => output.write('stdout', Buffer.from(`${scrub(line)}\n`)));
    const query: Record<string, unknown> = {
      t: spec.tags.map((tag) => `${spec.repository}:${tag}`),
      dockerfile: dockerfileInContext,
      buildargs: {
        ...spec.args,
        // Inline cache metadata lets the next build of the branch reuse this image's layers.
        ...(env.buildkit && spec.cacheFrom.length > 0 ? { BUILDKIT_INLINE_CACHE: '1' } : {}),
      },
      labels: spec.labels,
      rm: 'true',
      forcerm: 'true',
      ...(spec.target ? { target: spec.target } : {}),
      ...(spec.noCache ? { nocache: 'true' } : {}),
      ...(cacheFrom.length > 0 ? { cachefrom: JSON.stringify(cacheFrom) } : {}),
      ...(env.buildkit ? { version: '2' } : { version: '1' }),
      ...(session ? { session: session.id } : {}),
    };
    try {
      const stream = await dial(env.docker, query, tar, signal);
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => progress.push(chunk));
        stream.on('error', reject);
        stream.on('close', () => reject(new Error('the engine closed the build stream before it finished')));
        stream.on('end', () => {
          progress.end();
          resolve();
        });
      });
    } catch (err) {
      if (signal.aborted) return { kind: 'aborted' };
      progress.result.error ??= engineMessage(err);
    }
    if (signal.aborted) return { kind: 'aborted' };
    if (progress.result.error !== null)
      return classify(progress.result.error, progress.result.failedStep, spec);
    if (progress.result.imageId === null) {
      return { kind: 'build_failed', message: 'the build ended without an image id' };
    }
    imageId = progress.result.imageId;
  } finally {
    session?.close();
  }

  // The size is informative: asked alongside the push, and null if the engine does not say.
  const size = env.docker
    .getImage(imageId)
    .inspect()
    .then((info: { Size?: number }) => (typeof info.Size === 'number' ? info.Size : null))
    .catch(() => null);
  const shortId = imageId.slice(0, 19);
  const tags = spec.tags.join(', ');
  writeSystemLine(
    output,
    'image.built',
    { repository: spec.repository, id: shortId, tags },
    `built ${spec.repository} (${shortId}) tagged ${tags}`,
  );

  if (!spec.push || spec.registry === null) {
    return {
      kind: 'built',
      image: {
        repository: spec.repository,
        tags: spec.tags,
        digest: null,
        imageId,
        size: await size,
        pushed: false,
        registry: null,
      },
    };
  }
  let digest: string | null = null;
  for (const tag of spec.tags) {
    const image = `${spec.repository}:${tag}`;
    writeSystemLine(output, 'image.pushing', { image }, `pushing ${image}`);
    const pushed = await pushTag(env.docker, spec.repository, tag, {
      registry: spec.registry,
      credentials: spec.credentials,
      timeoutMs: spec.pushTimeoutMs ?? env.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS,
      signal,
    });
    if (signal.aborted) return { kind: 'aborted' };
    if (!pushed.ok) return { kind: 'push_failed', message: pushed.message };
    digest ??= pushed.digest;
    writeSystemLine(
      output,
      'image.pushed',
      { image, digest: pushed.digest },
      `pushed ${image} (${pushed.digest})`,
    );
  }
  return {
    kind: 'built',
    image: {
      repository: spec.repository,
      tags: spec.tags,
      digest,
      imageId,
      size: await size,
      pushed: true,
      registry: spec.registry,
    },
  };
}

/** `POST /build` directly: dockerode's buildImage opens its own session for BuildKit. */
function dial(
  docker: Dockerode,
  query: Record<string, unknown>,
  body: NodeJS.ReadableStream,
  signal: AbortSignal,
): Promise<NodeJS.ReadableStream> {
  const modem = docker.modem as unknown as {
    dial: (options: Record<string, unknown>, cb: (err: unknown, data: unknown) => void) => void;
  };
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: '/build?',
        method: 'POST',
        file: body,
        options: query,
        abortSignal: signal,
        isStream: true,
        headers: { 'Content-Type': 'application/x-tar' },
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      },
      (err, data) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
    );
  });
}

/** The engine's build error as the failure kind a user can act on. */
function classify(error: string, failedStep: string | null, spec: BuildSpec): BuildOutcome {
  if (/target stage .* could not be found|failed to reach build target/i.test(error)) {
    return {
      kind: 'unknown_target',
      message: `target "${spec.target}" is not a stage of ${spec.dockerfile}: ${error}`,
    };
  }
  if (/failed to read dockerfile|Cannot locate specified Dockerfile/i.test(error)) {
    return {
      kind: 'dockerfile_missing',
      message: `Dockerfile "${spec.dockerfile}" could not be read: ${error}`,
    };
  }
  if (/invalid reference format|invalid tag/i.test(error)) {
    return { kind: 'invalid_reference', message: error };
  }
  const code = /exit code: (\d+)/.exec(error)?.[1] ?? /returned a non-zero code: (\d+)/.exec(error)?.[1];
  if (code !== undefined) {
    const step =
      failedStep ?? /running \[(.*)\]/.exec(error)?.[1] ?? /The command '(.*)' returned/.exec(error)?.[1];
    return {
      kind: 'build_failed',
      message: `build step ${step ? `"${step}" ` : ''}failed with exit code ${code}`,
    };
  }
  return { kind: 'build_failed', message: `the build failed: ${error}` };
}

/**
 * The cache sources present on this engine. `repo:prefix*` stands for the newest local tag of
 * `repo` starting with `prefix` (the branch's previous build, whose sha is not known here).
 */
async function presentImages(docker: Dockerode, refs: string[]): Promise<string[]> {
  const present: string[] = [];
  for (const ref of refs) {
    if (ref.endsWith('*')) {
      const colon = ref.lastIndexOf(':');
      const repository = ref.slice(0, colon);
      const prefix = ref.slice(colon + 1, -1);
      const images = await docker.listImages({ filters: { reference: [repository] } }).catch(() => []);
      const newest = images
        .filter((image) => (image.RepoTags ?? []).some((t) => t.startsWith(`${repository}:${prefix}`)))
        .sort((a, b) => b.Created - a.Created)[0];
      const tag = newest?.RepoTags?.find((t) => t.startsWith(`${repository}:${prefix}`));
      if (tag) present.push(tag);
      continue;
    }
    try {
      await docker.getImage(ref).inspect();
      present.push(ref);
    } catch {
      // Not here (first build of the branch): nothing to reuse.
    }
  }
  return [...new Set(present)];
}

function firstOf(problems: (string | null)[]): string | null {
  return problems.find((p) => p !== null) ?? null;
}
