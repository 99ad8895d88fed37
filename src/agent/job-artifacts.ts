/**
 * After a job: its `artifacts:` packed straight from the workspace into a tar.gz that streams
 * to the server as it is made (nothing on disk, one entry in memory), and its `reports:` read,
 * parsed and sent. Both write what they did into the job's log. An upload the server refuses
 * (over a cap, a link in the selection is never sent) fails the job, as it would in GitLab;
 * a report that cannot be read is shown with the job's tests instead.
 */
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { Backend } from '../backends/backend.js';
import { formatByteSize } from '../domain/byte-size.js';
import { writeSystemLine } from '../domain/system-line-codes.js';
import type { PlanJob } from '../pipeline/plan/plan.js';
import type { AgentTransport } from '../protocol/agent-transport.js';
import type { AfterJob, JobEnd } from '../runtime/run-job.js';
import { expandArtifactVariables, selectPaths } from './artifact-paths.js';
import { collectTestReport } from './job-reports.js';
import { walkSelected } from './workspace-files.js';

export interface JobArtifactsContext {
  transport: AgentTransport;
  backend: Backend;
  leaseId: string;
  runId: string;
  /** The last coverage the job's log showed (its `coverage.regex`), null when none. */
  logCoverage: (job: string) => number | null;
}

export function jobArtifacts(ctx: JobArtifactsContext): AfterJob {
  return async (job, end, io) => {
    let result = end;
    if (job.artifacts && wanted(job.artifacts.when, end)) {
      const problem = await upload(ctx, job, io).catch((error: unknown) =>
        error instanceof Error ? error.message : String(error),
      );
      if (problem !== null) {
        writeSystemLine(
          io,
          'artifacts.failed',
          { detail: problem },
          `[slipway] artifacts were not uploaded: ${problem}`,
        );
        if (result.status === 'succeeded')
          result = {
            ...result,
            status: 'failed',
            failure: { reason: 'backend_error', message: `artifacts were not uploaded: ${problem}` },
          };
      }
    }
    if (job.reports && end.status !== 'canceled') {
      await collectTestReport(ctx, job, io).catch((error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        writeSystemLine(io, 'tests.not_sent', { detail }, `[slipway] test reports were not sent: ${detail}`);
      });
    }
    return result;
  };
}

function wanted(when: NonNullable<PlanJob['artifacts']>['when'], end: JobEnd): boolean {
  if (end.status === 'canceled') return false;
  return when === 'always' || (when === 'on_success') === (end.status === 'succeeded');
}

/** Null when uploaded (or nothing matched), else what went wrong. */
async function upload(
  ctx: JobArtifactsContext,
  job: PlanJob,
  io: Parameters<AfterJob>[2],
): Promise<string | null> {
  const spec = job.artifacts as NonNullable<PlanJob['artifacts']>;
  if (!ctx.transport.uploadArtifacts) return 'this server does not take artifacts';
  const expand = (p: string) => expandArtifactVariables(p, io.env);
  const selection = selectPaths(spec.paths.map(expand), spec.exclude.map(expand));
  const tar = pack();
  // Level 1: most of gzip's saving on text at several times the speed of the default level.
  const gzip = createGzip({ level: 1 });
  const body = new PassThrough();
  tar.pipe(gzip).pipe(body);
  let files = 0;
  let bytes = 0;
  let sending: Promise<unknown> | null = null;
  const start = () => {
    sending ??= (ctx.transport.uploadArtifacts as NonNullable<AgentTransport['uploadArtifacts']>)(
      ctx.leaseId,
      job.name,
      body,
      { name: spec.name === null ? null : expand(spec.name), expireInMs: spec.expireInMs },
    );
    // Rejections are read below; without this an early refusal is "unhandled" meanwhile.
    sending.catch(() => {});
    return sending;
  };
  try {
    await walkSelected(
      ctx.backend,
      ctx.runId,
      selection,
      async (entry) => {
        if (entry.type === 'directory') {
          tar.entry({ name: `${entry.path}/`, type: 'directory', mode: entry.mode, mtime: entry.mtime });
          return;
        }
        // The upload starts with the first file, so an empty selection sends nothing.
        start();
        files++;
        bytes += entry.size;
        await new Promise<void>((resolve, reject) => {
          const sink = tar.entry(
            { name: entry.path, size: entry.size, mode: entry.mode, mtime: entry.mtime },
            (error) => (error ? reject(error) : resolve()),
          );
          entry.stream.pipe(sink as unknown as NodeJS.WritableStream);
        });
      },
      (why) =>
        writeSystemLine(io, 'artifacts.skipped', { detail: why }, `[slipway] artifacts: skipped: ${why}`),
    );
  } catch (error) {
    tar.destroy();
    if (sending) await (sending as Promise<unknown>).catch(() => {});
    throw error;
  }
  tar.finalize();
  if (!sending || files === 0) {
    body.destroy();
    const paths = spec.paths.join(', ');
    writeSystemLine(
      io,
      'artifacts.none_matched',
      { paths },
      `[slipway] artifacts: no files matched ${paths}`,
    );
    if (sending) await (sending as Promise<unknown>).catch(() => {});
    return null;
  }
  const stored = (await sending) as { size: number; files: number };
  writeSystemLine(
    io,
    'artifacts.uploaded',
    { files, bytes, compressed: stored.size },
    `[slipway] artifacts: uploaded ${files} file${files === 1 ? '' : 's'} (${formatByteSize(bytes)}, ${formatByteSize(stored.size)} compressed)`,
  );
  return null;
}
