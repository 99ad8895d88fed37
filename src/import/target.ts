/**
 * The target syntax, in one place: which `.slipway.yml` key each concept of a translated
 * pipeline becomes, and in which order keys are written (schema.ts and its schema-*.ts parts).
 * Checkout settings of the sources become the top-level `clone:` where Slipway has them (depth,
 * tags, files only); the rest is reported (clone-settings.ts).
 */

import { STANDARD_VARIABLES as STANDARD_VARIABLE_NAMES } from '../domain/standard-variables.js';
import type { JobDraft, PipelineDraft } from './draft.js';

/** Top-level keys, in the order they are written. */
export const TOP_KEYS: ReadonlyArray<[keyof PipelineDraft | 'version', string]> = [
  ['version', 'version'],
  ['image', 'image'],
  ['variables', 'variables'],
  ['clone', 'clone'],
  ['interruptible', 'interruptible'],
  ['runsOn', 'runs_on'],
  ['workflow', 'workflow'],
  ['stages', 'stages'],
];

/** Job keys, in the order they are written. */
export const JOB_KEYS: ReadonlyArray<[Exclude<keyof JobDraft, 'name' | 'comment'>, string]> = [
  ['image', 'image'],
  ['matrix', 'matrix'],
  ['parallelMatrix', 'parallel'],
  ['needs', 'needs'],
  ['only', 'only'],
  ['except', 'except'],
  ['changes', 'changes'],
  ['when', 'when'],
  ['services', 'services'],
  ['variables', 'variables'],
  ['secrets', 'secrets'],
  ['beforeScript', 'before_script'],
  ['script', 'script'],
  ['afterScript', 'after_script'],
  ['build', 'build'],
  ['deploy', 'deploy'],
  ['cache', 'cache'],
  ['artifacts', 'artifacts'],
  ['reports', 'reports'],
  ['allowFailure', 'allow_failure'],
  ['retry', 'retry'],
  ['timeout', 'timeout'],
  ['interruptible', 'interruptible'],
  ['runsOn', 'runs_on'],
];

/** Nested keys whose spelling differs from the concept's name. */
export const NESTED_KEYS: Record<string, string> = {
  fallbackKeys: 'fallback_keys',
  expireIn: 'expire_in',
  exitCodes: 'exit_codes',
  variables: 'env',
};

/** Shape of a value in the file: GitLab's `parallel: {matrix: [...]}` wraps the list. */
export function jobValue(concept: string, value: unknown): unknown {
  if (concept === 'parallelMatrix') return { matrix: value };
  if (concept === 'cache' && Array.isArray(value) && value.length === 1) return value[0];
  return value;
}

/** Variables every job sees in Slipway (GitLab's names included), so scripts keep working. */
export const STANDARD_VARIABLES: ReadonlySet<string> = new Set(STANDARD_VARIABLE_NAMES);

/** Events of `only: {events}` (domain/event.ts). */
export const EVENTS = {
  push: 'push',
  tag: 'tag',
  pullRequest: 'pull_request',
  manual: 'manual',
  cron: 'cron',
  api: 'api',
} as const;

/** Most retries a job may ask for. */
export const MAX_RETRIES = 3;
