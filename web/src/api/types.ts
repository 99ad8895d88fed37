/**
 * The API's shapes, taken from the server's zod schemas with type-only imports: the client is
 * checked against what the server really answers, and Vite erases these imports (no server
 * code reaches the browser). Shapes the server does not export are written out below, each
 * naming the route file it mirrors.
 */
import type { DiagnosticJson as Diagnostic } from '../../../src/api/runs.js';
import type { Status } from '../../../src/domain/status.js';
import type { Schedule } from '../../../src/server/http/routes/schedule-json.js';
import type { SecretInfo } from '../../../src/server/http/routes/secret-json.js';
import type { TokenInfo } from '../../../src/server/http/routes/token-json.js';
import type { ProjectJson } from '../../../src/server/projects/project-json.js';
import type { LatestRun } from '../../../src/server/projects/run-summaries.js';

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
export type { ProjectJson, Schedule, SecretInfo, Status, TokenInfo };

/** GET /api/projects item (project-crud-routes.ts `ProjectListItem`). */
export interface ProjectListItem extends ProjectJson {
  latestRun: LatestRun | null;
  recentDurations: number[];
}

/** POST /api/projects answer: the webhook secret appears only here. */
export type CreatedProject = ProjectJson & { webhookSecret: string };

export interface Me {
  user: { username: string; role: 'admin' | 'maintainer' | 'viewer'; mustChangePassword?: boolean };
  csrfToken: string | null;
}

/** ref-routes.ts */
export interface RefInfo {
  name: string;
  sha: string;
}
export interface RefList {
  branches: RefInfo[];
  tags: RefInfo[];
}
export interface PipelineAtRef {
  ref: string;
  sha: string;
  text: string | null;
  diagnostics: Diagnostic[];
}
