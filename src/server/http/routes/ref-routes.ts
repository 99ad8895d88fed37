import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PipelineAtRefSchema, RefListSchema } from '../../../api/projects.js';
import { fullRef, parseRef, type Ref } from '../../../domain/ref.js';
import type { Diagnostic } from '../../../pipeline/config/diagnostic.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { isObjectId } from '../../git/ref-names.js';
import { findProject } from '../../projects/find-project.js';
import { PipelineViews } from '../../runs/pipeline-views.js';
import type { SourceService } from '../../services.js';
import type { ProjectRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { projectParams } from './run-params.js';

/**
 * What the project page needs from git: the branches and tags to choose from ("choose a branch
 * or tag"), and the pipeline definition at one of them (the "Pipeline definition" tab) with its
 * diagnostics, as `slipway lint` would show them.
 */

const CONFIG_FILE = '.slipway.yml';
/** Per list: enough for a picker; the `q` filter finds the rest. */
const MAX_REFS = 200;

export function registerRefRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/refs',
    summary: 'Branches and tags of the project (filtered by `q`, a case-insensitive substring)',
    tags: ['git'],
    params: projectParams,
    query: z.object({ q: z.string().max(200).optional() }),
    response: RefListSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const refs = await ctx.sources.listRefs(project);
      const needle = query.q?.toLowerCase() ?? '';
      const pick = (list: { name: string; sha: string }[]) =>
        list.filter((r) => r.name.toLowerCase().includes(needle)).slice(0, MAX_REFS);
      // The default branch first: it is what most people pick.
      const branches = [...refs.branches].sort(
        (a, b) => Number(b.name === project.default_branch) - Number(a.name === project.default_branch),
      );
      return { branches: pick(branches), tags: pick(refs.tags) };
    },
  });

  // Per server: a commit's file and diagnostics never change, so they are read and parsed once.
  const pipelineViews = new PipelineViews(ctx);
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/pipeline',
    summary: `The ${CONFIG_FILE} at a ref (default: the default branch) with its diagnostics`,
    tags: ['git'],
    params: projectParams,
    query: z.object({
      ref: z.string().min(1).max(1024).optional().describe('branch, tag, refs/… name or full commit sha'),
    }),
    response: PipelineAtRefSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const wanted = query.ref ?? project.default_branch;
      const found = await resolveWanted(ctx.sources, project, wanted);
      if (!found) throw notFound(`ref "${wanted}" of project "${project.name}"`);
      const { text, diagnostics } = await pipelineViews.get(project, found.sha);
      return {
        ref: found.ref,
        sha: found.sha,
        text,
        diagnostics: text === null ? [missingFile(found.ref)] : diagnostics,
      };
    },
  });
}

/**
 * A full sha stays a sha; `refs/heads/x` / `refs/tags/x` are exact; a bare name is a branch,
 * else a tag. `ref` in the answer is the full ref name (or the sha).
 */
async function resolveWanted(
  sources: SourceService,
  project: ProjectRow,
  wanted: string,
): Promise<{ ref: string; sha: string } | null> {
  if (isObjectId(wanted)) {
    return (await sources.commitInfo(project, wanted)) ? { ref: wanted, sha: wanted } : null;
  }
  const candidates: Ref[] = wanted.startsWith('refs/')
    ? [parseRef(wanted)]
    : [
        { kind: 'branch', name: wanted },
        { kind: 'tag', name: wanted },
      ];
  for (const ref of candidates) {
    if (fullRef(ref) !== wanted && wanted.startsWith('refs/')) continue; // refs/notes/… etc.
    const sha = await sources.resolve(project, ref);
    if (sha) return { ref: fullRef(ref), sha };
  }
  return null;
}

function missingFile(ref: string): Diagnostic {
  return {
    code: 'missing-file',
    message: `there is no ${CONFIG_FILE} at ${ref}; add one to run pipelines`,
    severity: 'error',
    file: CONFIG_FILE,
    line: 1,
    col: 1,
    path: '',
  };
}
