/** The plan form of a job's `artifacts:` and `reports:` (see compile-artifacts.ts). */
export interface PlanArtifacts {
  /** Workspace-relative globs; may hold `$VARIABLES` the agent expands. */
  paths: string[];
  exclude: string[];
  /** Archive name for downloads; null = the job name. */
  name: string | null;
  /** null = the server's default expiry. */
  expireInMs: number | 'never' | null;
  when: 'on_success' | 'on_failure' | 'always';
}

export interface PlanReports {
  /** Workspace-relative globs of JUnit XML files. */
  junit: string[];
  coverage: { regex: string } | { cobertura: string } | null;
}
