import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ImportError, importPipeline, MAX_IMPORT_FILES } from '../../../import/import-pipeline.js';
import { IMPORT_FORMATS } from '../../../import/report.js';
import type { ServerContext } from '../../context.js';
import { invalid } from '../../errors.js';
import { diagnosticJsonSchema } from '../../runs/run-json.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/**
 * `POST /api/pipeline/import`: a GitLab CI, Woodpecker or DaoCloud file in, the equivalent
 * `.slipway.yml` and the import report out. Nothing is saved: committing the file to the
 * repository is the user's decision (the web UI's "Import from …" dialog shows both first).
 */

const entrySchema = z.object({
  file: z.string(),
  line: z.number().int(),
  construct: z.string(),
  job: z.string().optional(),
  outcome: z.enum(['translated', 'approximated', 'untranslatable']),
  code: z.string().describe('Stable code of the sentence (translated by the client).'),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

const responseSchema = z.object({
  format: z.enum(IMPORT_FORMATS),
  yaml: z.string().nullable().describe('The translated .slipway.yml; null when nothing can run in Slipway.'),
  report: z.object({
    format: z.enum(IMPORT_FORMATS),
    entries: z.array(entrySchema),
    summary: z.object({
      constructs: z.number(),
      translated: z.number(),
      approximated: z.number(),
      untranslatable: z.number(),
      carried: z.number(),
      exact: z.number(),
    }),
  }),
  lint: z.array(diagnosticJsonSchema).describe('What slipway lint says about the output.'),
});

export function registerImportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/pipeline/import',
    summary:
      'Translate .gitlab-ci.yml, .woodpecker.yml(/.woodpecker/*) or daocloud.yml into .slipway.yml (nothing is saved)',
    tags: ['pipeline'],
    body: z
      .object({
        format: z.enum(IMPORT_FORMATS).optional().describe('Default: from the file names, then the content.'),
        files: z
          .record(z.string().min(1).max(500), z.string().max(1024 * 1024))
          .refine((f) => Object.keys(f).length >= 1, 'give at least one file')
          .refine((f) => Object.keys(f).length <= MAX_IMPORT_FILES, `at most ${MAX_IMPORT_FILES} files`)
          .describe('Path in the repository → content, e.g. {".gitlab-ci.yml": "…", "ci/build.yml": "…"}.'),
      })
      .strict(),
    response: responseSchema,
    handler: async ({ body }, req) => {
      requireRole(req, 'viewer');
      try {
        return importPipeline({ ...(body.format ? { format: body.format } : {}), files: body.files });
      } catch (error) {
        if (error instanceof ImportError) {
          const file = typeof error.params.file === 'string' ? `.${JSON.stringify(error.params.file)}` : '';
          throw invalid(`body.files${file}`, `${error.code}: ${error.message}`);
        }
        throw error;
      }
    },
  });
}
