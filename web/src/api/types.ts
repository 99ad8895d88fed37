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
export type { Schedule, SecretInfo, Status, TokenInfo };

export interface Me {
  user: { username: string; role: 'admin' | 'maintainer' | 'viewer'; mustChangePassword?: boolean };
  csrfToken: string | null;
}
