import { z } from 'zod';

/**
 * `.slipway.yml`, version 1 — the single source of truth for the pipeline definition.
 * The TypeScript types, the runtime validation and the published JSON Schema
 * (`schema/slipway.schema.json`, written by `npm run schema`) all come from here.
 *
 * Semantics follow DaoCloud's daocloud.yml v3 (ordered stages, parallel jobs inside a stage,
 * later stages skipped when one fails) with GitLab-CI ergonomics (only/except, needs, services,
 * allow_failure, when: manual).
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Names of environment variables: what a POSIX shell accepts. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names of jobs, stages and services: usable as a DNS label piece and in a record URL. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const envMap = z
  .record(z.string().regex(ENV_NAME, 'must be a shell variable name (letters, digits, _)'), scalar)
  .describe('Environment variables. Values are strings; numbers and booleans are converted.');

const filterList = z
  .union([z.string(), z.array(z.string())])
  .describe(
    'Anchored regular expressions, or GitFlow classes: main, develop, feature, release, hotfix, tag.',
  );

const filter = z.union([
  filterList,
  z
    .object({
      branches: filterList.optional(),
      tags: filterList.optional(),
      events: z.union([z.string(), z.array(z.string())]).optional(),
    })
    .strict(),
]);

const service = z.union([
  z.string().describe('Image of the service.'),
  z
    .object({
      image: z.string().min(1),
      env: envMap.optional(),
      command: z.union([z.string(), z.array(z.string())]).optional(),
    })
    .strict(),
]);

export const jobSchema = z
  .object({
    image: z.string().min(1).optional().describe('Container image; defaults to the top-level image.'),
    script: z
      .union([z.string(), z.array(z.string())])
      .describe('Shell lines, run in order with `set -e`; each is echoed before it runs.'),
    env: envMap.optional(),
    secrets: z.array(z.string().regex(ENV_NAME, 'must be a shell variable name')).optional(),
    services: z.record(z.string().regex(NAME, 'must be a host name'), service).optional(),
    only: filter.optional(),
    except: filter.optional(),
    allow_failure: z.boolean().optional(),
    timeout: z.string().optional().describe('Like 90s, 10m, 1h30m. Default 60m.'),
    needs: z.array(z.string()).optional().describe('Start as soon as these jobs succeeded (DAG).'),
    when: z.enum(['on_success', 'manual']).optional(),
  })
  .strict();

export const stageSchema = z
  .object({
    name: z.string().regex(NAME, 'must be letters, digits, _, . or -'),
    jobs: z.record(z.string().regex(NAME, 'must be letters, digits, _, . or -'), jobSchema),
  })
  .strict();

export const configSchema = z
  .object({
    version: z.literal(1).describe('Version of the pipeline definition format.'),
    image: z.string().min(1).optional(),
    env: envMap.optional(),
    stages: z.array(stageSchema).min(1),
  })
  .strict();

export type PipelineConfig = z.infer<typeof configSchema>;
export type JobConfig = z.infer<typeof jobSchema>;
export type StageConfig = z.infer<typeof stageSchema>;
export type FilterConfig = z.infer<typeof filter>;
export type ServiceConfig = z.infer<typeof service>;
