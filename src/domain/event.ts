import type { Ref } from './ref.js';

/** What started a run. Untrusted strings in here reach jobs only as environment variables. */
export const EVENT_KINDS = ['push', 'tag', 'pull_request', 'manual', 'cron', 'api'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface PipelineEvent {
  kind: EventKind;
  ref: Ref;
  sha: string;
  /** Who pushed or clicked; "manual" runs name the user. */
  author: string;
  message: string;
  /** Paths changed by the push, when known (used by later `changes:` filters). */
  changedFiles?: string[];
  /** Unix ms of the commit, when known. */
  commitTime?: number;
  /** The repository's default branch, when known: build jobs tag its images `latest`. */
  defaultBranch?: string;
  /**
   * Manual, API and scheduled runs of a branch: what `changedFiles` was compared with — the
   * branch's last successful run — or null when the branch has none (then `changes:` filters
   * nothing). Absent for pushes and pull requests (their before sha / base decides).
   */
  changesBase?: ChangesBase | null;
}

export interface ChangesBase {
  sha: string;
  runNumber: number;
}
