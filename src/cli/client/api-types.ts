import type { Status } from '../../domain/status.js';

/**
 * The run and job shapes the CLI prints are the API's own (src/api/runs.ts, read by the server's
 * routes and the web UI too): a field the server renames breaks the CLI's build, not its output.
 * The CLI prints failures and skips with their English `message`.
 */
export type { JobJson, RunDetail as RunDetailJson, RunSummary as RunSummaryJson } from '../../api/runs.js';

export interface ProjectJson {
  name: string;
  source: { kind: string; url?: string; forge?: string };
  gitUrl?: string;
  defaultBranch: string;
  latestRun?: { number: number; record: string; status: Status } | null;
}
