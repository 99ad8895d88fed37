/**
 * The project event stream (GET /api/projects/:p/events, SSE): its event kinds and what the
 * `image`, `environment` and `release` kinds carry in `data` (`run` and `job` carry a run summary
 * and a job of runs.ts). The server publishes these; the web UI's events hook reads them.
 */
export const PROJECT_EVENT_KINDS = ['run', 'job', 'image', 'environment', 'release'] as const;
export type ProjectEventKind = (typeof PROJECT_EVENT_KINDS)[number];

/** Delivery events that change what a release shows (status, or waiting for approval). */
export const RELEASE_CHANGES = [
  'release.started',
  'release.succeeded',
  'release.failed',
  'release.rolled_back',
  'release.canceled',
  'approval.requested',
  'approval.granted',
] as const;
export type ReleaseChange = (typeof RELEASE_CHANGES)[number];

/** `release`: enough for a page to know which release moved. */
export interface ReleaseEventData {
  /** The delivery event it mirrors, e.g. `release.succeeded`, `approval.requested`. */
  change: ReleaseChange;
  application: string;
  environment: string;
  /** The release's number within its application. */
  release: number;
}

/** `environment`: an agent observed a new health for an environment. */
export interface EnvironmentEventData {
  app: string;
  env: string;
  health: string;
}

/** `image`: a build job's image was recorded. */
export interface ImageEventData {
  job: string;
  repository: string;
  tags: string[];
  digest: string | null;
  imageId: string;
  pushed: boolean;
  registry: string | null;
  sha: string;
  ref: string;
}
