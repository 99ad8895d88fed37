import { z } from 'zod';
import { LABEL_KEY, LABEL_VALUE } from '../../domain/agent-labels.js';
import { MIN_MEMORY_BYTES, MIN_PIDS, parseMemorySize } from '../../domain/job-resources.js';
import { artifactsSchema, reportsSchema } from './schema-artifacts.js';
import { cacheSchema } from './schema-cache.js';
import { cloneSchema } from './schema-clone.js';
import { flowJobKeys, workflowSchema } from './schema-flow.js';
import {
  extendsSchema,
  includeSchema,
  JOB_NAME,
  JOB_NAME_RULE,
  matrixSchema,
  parallelSchema,
} from './schema-reuse.js';

/**
 * `.slipway.yml`, version 1 — the single source of truth for the pipeline definition.
 * The TypeScript types, the runtime validation and the published JSON Schema
 * (`schema/slipway.schema.json`, written by `npm run schema`) all come from here.
 *
 * Semantics follow DaoCloud's daocloud.yml v3 (ordered stages, parallel jobs inside a stage,
 * later stages skipped when one fails) with GitLab-CI ergonomics (only/except, needs, services,
 * allow_failure, when: manual, interruptible).
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Names of environment variables: what a POSIX shell accepts. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names of jobs, stages and services: usable as a DNS label piece and in a record URL. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const envMap = z
  .record(z.string().regex(ENV_NAME, 'must be a shell variable name (letters, digits, _)'), scalar)
  .describe('Environment variables. Values are strings; numbers and booleans are converted.');

/**
 * Agent labels the run needs (`pool: build`). A lease is one whole run, so the run asks for the
 * union of the top-level and every job's `runs_on`; two values for one key are an error.
 */
const runsOn = z
  .record(
    z.string().regex(LABEL_KEY, 'must be a label key (letters, digits, _ . / -)'),
    z.union([
      z.string().regex(LABEL_VALUE, 'must be a label value (letters, digits, _ . / -)'),
      z.number(),
      z.boolean(),
    ]),
  )
  .describe('Agent labels the run needs, like { pool: build, arch: arm64 }; only such agents take it.');

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

/** A job that builds a container image with the Docker engine (BuildKit) instead of a script. */
export const buildSchema = z
  .object({
    dockerfile: z
      .string()
      .min(1)
      .optional()
      .describe('Path of the Dockerfile, relative to the workspace; default: Dockerfile in the context.'),
    context: z.string().min(1).optional().describe('Build context, relative to the workspace; default ".".'),
    target: z.string().min(1).optional().describe('Stage of a multi-stage Dockerfile to build.'),
    args: envMap.optional().describe('Build arguments (ARG).'),
    cache: z
      .boolean()
      .optional()
      .describe('Reuse layers of the previous image of the same branch; default true.'),
    image: z
      .string()
      .min(1)
      .optional()
      .describe('Repository, e.g. api or registry.example:5000/team/api; default: the project name.'),
    tags: z
      .array(z.string().min(1))
      .optional()
      .describe('Default: the record name (branch-shortsha), plus latest on the default branch.'),
    push: z.boolean().optional().describe('Push to the registry; default true when a registry is known.'),
    registry: z.string().min(1).optional().describe('Registry host[:port] to push to.'),
    secrets: z
      .array(z.string().regex(ENV_NAME, 'must be a shell variable name'))
      .optional()
      .describe('Project secrets given to RUN --mount=type=secret,id=NAME; never in layers or history.'),
  })
  .strict();

/** A job that rolls the image built earlier in the run out to an application's environment. */
export const deploySchema = z
  .object({
    app: z.string().regex(NAME, 'must be an application name'),
    env: z.string().regex(NAME, 'must be an environment name'),
    from: z
      .string()
      .optional()
      .describe('The build job whose image to deploy; default: the only build job of the run.'),
    image: z.string().min(1).optional().describe('Deploy this image reference instead of a built one.'),
  })
  .strict();

/**
 * Limits of a script job's container and its services (see domain/job-resources.ts); above the
 * maximum of the machine running it, a value is limited to that maximum with a warning.
 */
export const resourcesSchema = z
  .object({
    memory: z
      .union([
        z
          .string()
          .refine(
            (text) => (parseMemorySize(text) ?? 0) >= MIN_MEMORY_BYTES,
            'must be a size of at least 6m, like 512m or 2g',
          ),
        z.number().int().min(MIN_MEMORY_BYTES, 'in bytes, at least 6m (6291456)'),
      ])
      .optional()
      .describe('Memory limit, like 512m or 2g (binary units; swap is not added on top).'),
    pids: z
      .number()
      .int()
      .min(MIN_PIDS, `at least ${MIN_PIDS}`)
      .optional()
      .describe('Most processes and threads at once (stops a fork bomb).'),
    cpus: z
      .number()
      .positive('must be more than 0, like 1 or 0.5')
      .max(1024)
      .optional()
      .describe('CPUs, like 1 or 0.5.'),
  })
  .strict();

const interruptible = z
  .boolean()
  .describe(
    'A newer push to the same branch may cancel the run while this job runs or after it ran (with the project setting "auto-cancel superseded runs"); default false.',
  );

export const jobSchema = z
  .object({
    image: z.string().min(1).optional().describe('Container image; defaults to the top-level image.'),
    script: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Shell lines, run in order with `set -e`; each is echoed before it runs.'),
    build: buildSchema.optional(),
    deploy: deploySchema.optional(),
    env: envMap.optional().describe('Alias of `variables`.'),
    variables: envMap.optional(),
    extends: extendsSchema.optional(),
    matrix: matrixSchema.optional(),
    parallel: parallelSchema.optional(),
    secrets: z.array(z.string().regex(ENV_NAME, 'must be a shell variable name')).optional(),
    services: z.record(z.string().regex(NAME, 'must be a host name'), service).optional(),
    only: filter.optional(),
    except: filter.optional(),
    interruptible: interruptible.optional(),
    timeout: z.string().optional().describe('Like 90s, 10m, 1h30m. Default 60m.'),
    needs: z.array(z.string()).optional().describe('Start as soon as these jobs succeeded (DAG).'),
    ...flowJobKeys,
    resources: resourcesSchema.optional(),
    runs_on: runsOn.optional(),
    cache: cacheSchema.optional(),
    artifacts: artifactsSchema.optional(),
    reports: reportsSchema.optional(),
  })
  .strict();

export const stageSchema = z
  .object({
    name: z.string().regex(JOB_NAME, JOB_NAME_RULE),
    jobs: z.record(z.string().regex(JOB_NAME, JOB_NAME_RULE), jobSchema),
  })
  .strict();

/** Keys every job takes from `default:` unless it sets them itself (reuse.ts). */
export const defaultSchema = jobSchema
  .omit({ script: true, build: true, deploy: true, needs: true, extends: true, matrix: true, parallel: true })
  .describe('Keys every job gets unless it sets them: image, variables, timeout, services, …');

export const configSchema = z
  .object({
    version: z.literal(1).describe('Version of the pipeline definition format.'),
    image: z.string().min(1).optional(),
    env: envMap.optional().describe('Alias of `variables`.'),
    variables: envMap.optional(),
    include: includeSchema.optional(),
    default: defaultSchema.optional(),
    interruptible: interruptible.optional().describe('Default `interruptible` of every job; default false.'),
    runs_on: runsOn.optional(),
    workflow: workflowSchema(filter).optional(),
    clone: cloneSchema.optional(),
    stages: z.array(stageSchema).min(1),
  })
  .strict();

export type PipelineConfig = z.infer<typeof configSchema>;
export type JobConfig = z.infer<typeof jobSchema>;
export type StageConfig = z.infer<typeof stageSchema>;
export type FilterConfig = z.infer<typeof filter>;
export type ServiceConfig = z.infer<typeof service>;
export type BuildConfig = z.infer<typeof buildSchema>;
export type DeployConfig = z.infer<typeof deploySchema>;
export type RunsOnConfig = z.infer<typeof runsOn>;
export type ResourcesConfig = z.infer<typeof resourcesSchema>;
