/**
 * Row types of the delivery-insights tables (migration 018). Both are derived data: computed
 * from releases, runs, jobs, delivery events and the repository by server/insights/.
 */

/** One ended release, with what the DORA metrics and the value stream need. */
export interface ReleaseFactRow {
  release_id: string;
  project_id: string;
  application_id: string;
  environment_id: string;
  number: number;
  trigger: string;
  /** The release's terminal status: succeeded, failed, rolled_back or canceled. */
  status: string;
  reason: string | null;
  /** The ref of the run that built what was released (hotfix/* marks a hotfix), when known. */
  ref_name: string | null;
  image: string | null;
  digest: string | null;
  source_sha: string | null;
  source_run_id: string | null;
  source_run_number: number | null;
  /** For a rollback release: the earlier release it went back to. */
  rollback_of: string | null;
  created_at: number;
  started_at: number | null;
  /** When the release ended (its finished_at, else when it was created). */
  ended_at: number;
  run_created_at: number | null;
  run_started_at: number | null;
  /** End of the part of the source run that came before the release: run end or release creation. */
  pipeline_end_at: number | null;
  /** When an approval-gated release was approved (null: no approval asked). */
  approved_at: number | null;
  /** JSON `[{ "stage": name, "ms": n }]`: the pipeline window split per stage, in order. */
  stages: string;
  /** Pipeline time spent waiting for a person to start `when: manual` jobs. */
  manual_wait_ms: number;
  /** `pending` (not computed yet), `done`, or `none` (no commits to compute: not succeeded, no sha, no repository). */
  commits: string;
  /** How many commits it shipped first (release_commits rows). */
  changes: number;
  /** JSON `[[leadMs, leadFromPushMs | null], …]`, one pair per commit shipped first. */
  lead_times: string;
  /** JSON `{ segment: ms }`: the value-stream segments summed over its commits (value-stream.ts). */
  segment_sums: string;
}

/** A commit that reached an environment for the first time with this release. */
export interface ReleaseCommitRow {
  release_id: string;
  sha: string;
  environment_id: string;
  /** Author time from the repository (ms). */
  authored_at: number;
  /** When the server first saw it: the earliest run of a commit that contains it (ms); null when none. */
  pushed_at: number | null;
  /** The release's end. */
  released_at: number;
}
