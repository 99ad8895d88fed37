/**
 * The API's shapes, taken from src/api (the zod schemas the server's routes answer with) with
 * type-only imports: the client is checked against what the server really answers, and Vite
 * erases these imports (neither zod nor server code reaches the browser). Only src/api and
 * src/domain may be imported here (test/api/api-shapes-single-source.test.ts).
 */

export type {
  CreatedProject,
  LatestRun,
  PipelineAtRef,
  ProjectJson,
  ProjectListItem,
  RefInfo,
  RefList,
} from '../../../src/api/projects.js';
// Run and job shapes come from src/api, the one place the server, the UI and the CLI share.
export type {
  DiagnosticJson as Diagnostic,
  FailureJson,
  JobJson,
  RunDetail,
  RunPage,
  RunSummary,
  SkipJson,
  StageJson,
} from '../../../src/api/runs.js';
export type { Schedule } from '../../../src/api/schedules.js';
export type { SecretInfo } from '../../../src/api/secrets.js';
export type { Me } from '../../../src/api/session.js';
export type { TokenInfo } from '../../../src/api/tokens.js';
export type { Status } from '../../../src/domain/status.js';
