import type { ColumnType, Generated, Selectable } from 'kysely';
import type { AccessTables, Visibility } from './tables-access.js';
import type { AccountTables } from './tables-accounts.js';
import type { ArtifactTables } from './tables-artifacts.js';
import type { CacheEntryRow } from './tables-caches.js';
import type { EnvironmentObservationRow, HealthProbeRow, ImageRow, RegistryRow } from './tables-images.js';
import type { ImpactTables } from './tables-impact.js';
import type { ReleaseCommitRow, ReleaseFactRow } from './tables-insights.js';
import type { NotifyTables } from './tables-notify.js';
import type { TrafficTables } from './tables-traffic.js';

/**
 * Row types of every table, as Kysely sees them. Times are Unix milliseconds (integers),
 * booleans are 0/1 integers, JSON is text — the portable subset SQLite and PostgreSQL share.
 * The authoritative DDL is in ./migrations; keep the two in step.
 */
export interface Database
  extends AccountTables,
    NotifyTables,
    ArtifactTables,
    ImpactTables,
    AccessTables,
    TrafficTables {
  users: UserTable;
  sessions: SessionRow;
  api_tokens: ApiTokenRow;
  login_attempts: LoginAttemptRow;
  projects: ProjectRow;
  secrets: SecretRow;
  runs: RunRow;
  jobs: JobRow;
  queue: QueueRow;
  agents: AgentRow;
  queue_labels: QueueLabelRow;
  log_chunks: LogChunkRow;
  deliveries: DeliveryRow;
  schedules: ScheduleRow;
  counters: CounterRow;
  registries: RegistryRow;
  images: ImageRow;
  applications: ApplicationRow;
  environments: EnvironmentRow;
  releases: ReleaseRow;
  audit_log: AuditLogRow;
  environment_observations: EnvironmentObservationRow;
  health_probe: HealthProbeRow;
  installation: InstallationRow;
  delivery_events: DeliveryEventRow;
  release_facts: ReleaseFactRow;
  release_commits: ReleaseCommitRow;
  cache_entries: CacheEntryRow;
}

export type Role = 'admin' | 'maintainer' | 'viewer';

/** The `users` table as Kysely sees it; rows read back are `UserRow`. */
export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  created_at: number;
  /** 1: every request but changing the password is refused until it is changed (migration 021). */
  must_change_password: ColumnType<number, number | undefined, number>;
  /** Set while the account is disabled: no sign-in, no session, no token works. */
  disabled_at: number | null;
}
export type UserRow = Selectable<UserTable>;

export interface SessionRow {
  /** sha256 of the cookie value; the cookie itself is never stored. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  /** sha256 of the token. */
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface LoginAttemptRow {
  id: Generated<number>;
  key: string;
  at: number;
}

export type SourceKind = 'builtin' | 'remote';
export type Forge = 'github' | 'gitea' | 'gitlab' | 'gitee';

export interface ProjectRow {
  id: string;
  name: string;
  source_kind: SourceKind;
  remote_url: string | null;
  forge: Forge | null;
  default_branch: string;
  /** Encrypted with the server key (see secret-box). */
  webhook_secret: string;
  concurrency_limit: number;
  trusted: number;
  created_at: number;
  /** 1: `GET /badge/<name>.svg` answers without sign-in (migration 007; absent in inserts = 0). */
  public_badge?: number;
  /**
   * `<forge>:<id>` of the forge repository this project's webhooks are about, pinned on the
   * first verified delivery (migration 009; absent in inserts = null).
   */
  webhook_repository_id?: string | null;
  /** The remote URL the pin above was made for: a pin of another remote is void. */
  webhook_repository_remote?: string | null;
  /**
   * 1: a push (or pull request update) cancels the older unfinished runs of its branch (or
   * request) that may be interrupted (migration 014; absent in inserts = 0). See supersede-runs.ts.
   */
  auto_cancel_superseded?: number;
  /** Who reads it besides its members (migration 025; absent in inserts = 'internal'). */
  visibility?: Visibility;
}

export interface SecretRow {
  project_id: string;
  name: string;
  /** Encrypted value; never returned by the API. */
  value: string;
  created_at: number;
  updated_at: number;
}

export interface RunRow {
  id: string;
  project_id: string;
  number: number;
  record: string;
  trigger: string;
  /** The forge user / Slipway user who caused it ("manual" runs name the clicker). */
  actor: string;
  ref_kind: string;
  ref_name: string;
  sha: string;
  message: string;
  author: string;
  commit_time: number | null;
  status: string;
  failure_reason: string | null;
  failure_message: string | null;
  /** The compiled Plan (JSON); null when the config had errors. */
  plan: string | null;
  /** Lint diagnostics (JSON array) — errors make the run fail with config_error. */
  diagnostics: string;
  /** Extra variables of a manual/API run (JSON object). */
  variables: string;
  /** 1 when the event is untrusted (fork PR): no secrets. */
  untrusted: number;
  /** The run this one reruns or resumes. */
  parent_run_id: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Executions of the run so far: 2+ after a lost agent's run was re-queued (migration 011). */
  attempt?: number;
  /** JSON CancelReason (cancel-reason.ts) once a cancel was asked for; null otherwise (migration 014). */
  cancel_reason?: string | null;
  /** JSON parameters of the failure (runs/reason-params.ts); null: none or older row (migration 030). */
  failure_params?: string | null;
}

export interface JobRow {
  run_id: string;
  name: string;
  stage: string;
  stage_index: number;
  job_index: number;
  status: string;
  allow_failure: number;
  manual: number;
  failure_reason: string | null;
  failure_message: string | null;
  skip_code: string | null;
  skip_message: string | null;
  exit_code: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** Which attempt of the job this is: 2+ once it was re-queued after a lost agent (migration 011). */
  attempt?: number;
  /** 1: `interruptible: true` — a newer push may cancel the run while this job runs (migration 014). */
  interruptible?: number;
  /** JSON array of the job's earlier attempts (runs/job-retries.ts); null: never retried (migration 015). */
  retries?: string | null;
  /** JSON parameters of the failure and of the skip (runs/reason-params.ts; migration 030). */
  failure_params?: string | null;
  skip_params?: string | null;
}

export interface QueueRow {
  id: string;
  run_id: string;
  project_id: string;
  /** JSON: { jobs?: string[] } — which jobs this execution runs (all when absent). */
  selection: string;
  run_manual: number;
  /** Reuse the workspace left by an earlier execution of the run (resume from failed). */
  reuse_workspace: number;
  status: 'queued' | 'leased' | 'done';
  /** Set by cancel while leased; the agent learns it from its next heartbeat/update answer. */
  cancel_requested: number;
  enqueued_at: number;
  lease_id: string | null;
  agent_id: string | null;
  leased_at: number | null;
  heartbeat_at: number | null;
  /** 1, plus one per re-queue after a lost agent; log lines are placed per attempt (migration 011). */
  attempt?: number;
}

export interface AgentRow {
  id: string;
  name: string;
  token_hash: string;
  embedded: number;
  created_at: number;
  last_seen_at: number | null;
  /** JSON map of the labels the agent last declared (migration 013); '{}' when none. */
  labels?: string;
  /** JSON `{version, capacity}` the agent declared (migration 023); `{}` until it does. */
  info?: string;
}

/** One `key=value` pair a queued execution requires of its agent (migration 013). */
export interface QueueLabelRow {
  queue_id: string;
  label: string;
}

/** Consecutive log lines of one job, as one agent batch delivered them. */
export interface LogChunkRow {
  run_id: string;
  job: string;
  first_n: number;
  last_n: number;
  /** UTF-8 bytes of the lines' text, for the per-job cap. */
  bytes: number;
  /** 1 when this chunk ends with the truncation marker. */
  truncated: number;
  /** JSON array of `[n, t, stream, text]`. */
  lines: string;
  /** The queue attempt that sent these lines (migration 011); `n` is already placed after earlier attempts. */
  attempt?: number;
}

/** The one row naming this installation (migration 011): labels everything its agent creates. */
export interface InstallationRow {
  id: string;
  created_at: number;
}

export interface DeliveryRow {
  /** `<forge>:<delivery id>` */
  id: string;
  project_id: string;
  received_at: number;
  run_id: string | null;
  /** The classified event (a HookRun as JSON) its run is made from; kept for restart recovery. */
  event: string | null;
  /** When an attempt claimed the right to create its run (null: nobody holds it). */
  started_at: number | null;
  /** Why the delivery made no run: the pipeline's `workflow:` does not apply (migration 015). */
  skip_reason?: string | null;
}

export interface ScheduleRow {
  id: string;
  project_id: string;
  branch: string;
  cron: string;
  enabled: number;
  next_at: number;
  last_run_id: string | null;
  created_at: number;
}

/** Per-project run numbers, allocated inside the run-creating transaction. */
export interface CounterRow {
  key: string;
  value: number;
}

/** A deployable service of a project (migration 006). */
export interface ApplicationRow {
  id: string;
  project_id: string;
  name: string;
  created_at: number;
}

/** One environment of an application, in `position` order; config is zod-checked JSON. */
export interface EnvironmentRow {
  id: string;
  application_id: string;
  name: string;
  position: number;
  target: 'docker' | 'swarm';
  /** JSON of EnvironmentConfig (src/api/environment-config.ts). */
  config: string;
  requires_approval: number;
  /** JSON `{ branches: string[] }`, or null when images are never released automatically. */
  auto_release: string | null;
  /** Incremented on every config change; releases record the version they used. */
  config_version: number;
  created_at: number;
  updated_at: number;
  /** 1: a production environment, the default scope of delivery insights (migration 018; absent in inserts = 0). */
  production?: number;
}

/** One deploy, promote, rollback or scale of an environment, executed as a release run. */
export interface ReleaseRow {
  id: string;
  application_id: string;
  environment_id: string;
  /** 1, 2, 3… per application. */
  number: number;
  /** The image reference deployed; null until a pipeline deploy job resolves its built image. */
  image: string | null;
  digest: string | null;
  /** Snapshot of the environment config used (JSON). */
  config: string;
  config_version: number;
  replicas: number;
  source_run_id: string | null;
  source_sha: string | null;
  release_run_id: string | null;
  release_job: string | null;
  trigger: 'pipeline' | 'auto' | 'manual' | 'promote' | 'rollback' | 'scale';
  actor: string;
  status: 'queued' | 'awaiting_approval' | 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'canceled';
  reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  rollback_of: string | null;
  promoted_from: string | null;
}

/** One delivery domain event (migration 012, src/server/events/delivery-events.ts); append-only. */
export interface DeliveryEventRow {
  /** Insertion order. */
  id: Generated<number>;
  type: string;
  project_id: string;
  run_id: string | null;
  release_id: string | null;
  occurred_at: number;
  /** The event's data (JSON). */
  payload: string;
}

export interface AuditLogRow {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  project_id: string | null;
  target: string;
  /** JSON object. */
  detail: string;
}

// Registries, images and observed environments live in tables-images.ts (size of this file).
export type {
  EnvironmentObservationRow,
  HealthProbeRow,
  ImageRow,
  RegistryRow,
} from './tables-images.js';
