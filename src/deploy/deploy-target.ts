/**
 * A DeployTarget rolls an application's environment out on a container platform: the local
 * Docker engine (containers managed by Slipway behind a port proxy) or Docker Swarm (services
 * with rolling updates). Agents own targets — the server never talks to Docker — so a release
 * is executed by an agent like a job, and its log lines stream like a job's.
 *
 * Contract:
 *   - `deploy` starts the new version, waits until it is healthy, switches traffic to it and
 *     stops the old one. A version that never becomes healthy is rolled back (the previous
 *     version keeps serving) and the outcome says so with the reason. It never throws for
 *     operational problems; it throws only for bugs.
 *   - `scale` changes the replica count of what runs, without a new image.
 *   - `status` describes what runs now (nothing → `running: false`).
 *   - `list` describes every environment this target runs on its engine, found by label in
 *     one list call (the agent reports them every few seconds, so it must stay cheap).
 *   - Everything a target creates is labelled `io.slipway.deploy.app/env/release` so `status`,
 *     restarts and removal find it without a database.
 */
import type { ReleaseReason, ReleaseReasonParams } from '../domain/reason-codes.js';
export interface DeployTarget {
  readonly kind: 'docker' | 'swarm';
  deploy(spec: DeploySpec, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome>;
  scale(ref: EnvironmentRef, replicas: number, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome>;
  status(ref: EnvironmentRef): Promise<EnvironmentStatus>;
  list(): Promise<ObservedEnvironment[]>;
  /** Stops and removes everything of the environment. Idempotent. */
  remove(ref: EnvironmentRef): Promise<void>;
  /**
   * Call once when the agent starts: takes over what already runs (the local target re-binds
   * its port proxies from container labels; Swarm needs nothing). Never throws for one
   * environment's problem: it logs it and goes on.
   */
  restore(log?: DeployLog): Promise<void>;
  /** Call when the agent stops: releases the target's own resources (port proxies); what runs keeps running. */
  close(): Promise<void>;
}

/** One line of a release's log (what the release shows, like a job log). */
export type DeployLog = (line: string) => void;

export interface EnvironmentRef {
  /** Project name, application name and environment name: together unique on an engine. */
  project: string;
  app: string;
  env: string;
}

export interface DeploySpec extends EnvironmentRef {
  /** Release id, recorded in labels so `status` can say which release runs. */
  releaseId: string;
  /** Image reference; a digest-pinned `repo@sha256:…` or a local image id when not pushed. */
  image: string;
  replicas: number;
  /** Host port → container port. The host port is what users reach. */
  ports: { published: number; target: number }[];
  /** Environment variables of the containers (secrets already resolved). */
  variables: Record<string, string>;
  healthcheck: HealthCheck | null;
  resources: { cpus: number | null; memoryMb: number | null };
  update: UpdatePolicy;
  /** Extra labels on everything created. */
  labels: Record<string, string>;
  /** What the port proxy speaks; absent: http when the health check is http, else tcp. */
  protocol?: 'http' | 'tcp';
  /** Canary rollout (docker target; Swarm in proxy mode); absent or null: switch at once. */
  rollout?: CanaryRollout | null;
}

/** A canary rollout as the agent runs it (the environment's `rollout:`, durations in ms). */
export interface CanaryRollout {
  /** Percentages of the traffic the new version gets, increasing, the last one 100. */
  steps: number[];
  bakeMs: number;
  minRequests: number;
  maxErrorRate?: number;
  maxP95Ms?: number;
}

export type HealthCheck = (
  | { kind: 'http'; path: string; port: number }
  | { kind: 'command'; command: string[] }
) & {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
};

export interface UpdatePolicy {
  /** start-first: new tasks start before old ones stop (no downtime); stop-first: the reverse. */
  order: 'start-first' | 'stop-first';
  /** Tasks updated at once (Swarm); containers replaced at once (local). */
  parallelism: number;
  failureAction: 'rollback' | 'pause';
  /** Pause between batches. */
  delayMs: number;
}

export type DeployOutcome =
  | { result: 'succeeded'; image: string }
  | { result: 'rolled_back'; reason: string; code?: ReleaseReason; params?: ReleaseReasonParams }
  | { result: 'failed'; reason: string; code?: ReleaseReason; params?: ReleaseReasonParams }
  | { result: 'canceled' };

export interface EnvironmentStatus {
  running: boolean;
  image: string | null;
  releaseId: string | null;
  replicas: { desired: number; running: number; healthy: number };
}

/** One environment as `list` finds it on the engine. */
export type ObservedEnvironment = EnvironmentRef & EnvironmentStatus;
