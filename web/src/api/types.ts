/**
 * The API's shapes, taken from the server's zod schemas with type-only imports: the client is
 * checked against what the server really answers, and Vite erases these imports (no server
 * code reaches the browser). Shapes the server does not export are written out below, each
 * naming the route file it mirrors.
 */
import type { Status } from '../../../src/domain/status.js';
import type { Schedule } from '../../../src/server/http/routes/schedule-json.js';
import type { SecretInfo } from '../../../src/server/http/routes/secret-json.js';
import type { TokenInfo } from '../../../src/server/http/routes/token-json.js';
import type { ProjectJson } from '../../../src/server/projects/project-json.js';
import type { LatestRun } from '../../../src/server/projects/run-summaries.js';
import type { JobJson, RunDetail, RunSummary } from '../../../src/server/runs/run-json.js';

export type { JobJson, ProjectJson, RunDetail, RunSummary, Schedule, SecretInfo, Status, TokenInfo };

export type Diagnostic = RunDetail['diagnostics'][number];
export type StageJson = RunSummary['stages'][number];

/** GET /api/projects item (project-crud-routes.ts `ProjectListItem`). */
export interface ProjectListItem extends ProjectJson {
  latestRun: LatestRun | null;
  recentDurations: number[];
}

/** POST /api/projects answer: the webhook secret appears only here. */
export type CreatedProject = ProjectJson & { webhookSecret: string };

export interface RunPage {
  runs: RunSummary[];
  next: number | null;
}

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
