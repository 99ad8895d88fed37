/** Row types of registries, the image catalogue, observed environments and the health probe. */

/** Credentials of a container registry; project_id null = global (every project may use it). */
export interface RegistryRow {
  id: string;
  project_id: string | null;
  /** `global` or the project id (the unique key with host; see migration 005). */
  scope: string;
  /** host[:port], lowercase, no scheme or path. */
  host: string;
  username: string;
  /** Sealed with the server key; never returned by the API. */
  password: string;
  created_at: number;
  created_by: string;
}

/** One tag of an image a build job produced; the newest row per (repository, tag) is current. */
export interface ImageRow {
  id: string;
  project_id: string;
  repository: string;
  tag: string;
  digest: string | null;
  image_id: string;
  size: number | null;
  registry: string | null;
  pushed: number;
  run_id: string;
  job: string;
  sha: string;
  ref: string;
  created_at: number;
}

/** What an agent last observed of an environment on its engine (migration 008). */
export interface EnvironmentObservationRow {
  environment_id: string;
  project_id: string;
  agent_id: string;
  observed_at: number;
  running: number;
  healthy: number;
  desired: number;
  image: string | null;
  release_id: string | null;
  /** The health last announced by an `environment` event (server/deploys/observed-health.ts). */
  health: string;
}

/** The one row /healthz rewrites to prove writes still commit (id is always 1). */
export interface HealthProbeRow {
  id: number;
  checked_at: number;
}
