/**
 * Job and run statuses: one closed set, one state machine.
 *
 *   pending ──► queued ──► running ──► succeeded | failed | canceled
 *      │          │
 *      │          └──────► canceled            (cancel before an agent took it)
 *      ├──► skipped     (filtered out, or an upstream job failed)
 *      └──► manual ──► queued                   (`when: manual`, waits for a click)
 *
 * `succeeded`, `failed`, `canceled` and `skipped` are terminal. A failed job always carries a
 * `FailureReason` so the UI can say *why* ("timeout", "image not found", "agent lost").
 */
export const STATUSES = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'canceled',
  'skipped',
  'manual',
] as const;
export type Status = (typeof STATUSES)[number];

export type TerminalStatus = 'succeeded' | 'failed' | 'canceled' | 'skipped';

/** Why a job failed; `exit_code` is the ordinary case of a script that exited non-zero. */
export const FAILURE_REASONS = [
  'exit_code',
  'timeout',
  'image_not_found',
  'agent_lost',
  'backend_error',
  'config_error',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const TRANSITIONS: Record<Status, readonly Status[]> = {
  pending: ['queued', 'skipped', 'manual', 'canceled'],
  manual: ['queued', 'skipped', 'canceled'],
  queued: ['running', 'canceled', 'skipped'],
  running: ['succeeded', 'failed', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
  skipped: [],
};

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(status: Status): status is TerminalStatus {
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'canceled':
    case 'skipped':
      return true;
    case 'pending':
    case 'queued':
    case 'running':
    case 'manual':
      return false;
  }
}

/** The icons of the execution records table, one per stage. */
export function statusIcon(status: Status): string {
  switch (status) {
    case 'succeeded':
      return '✅';
    case 'failed':
      return '❌';
    case 'skipped':
      return '⏭';
    case 'canceled':
      return '⛔';
    case 'manual':
      return '⏸';
    case 'running':
    case 'queued':
    case 'pending':
      return '🕒';
  }
}

/**
 * A stage's status from its jobs' statuses. Jobs allowed to fail count as succeeded here
 * (the caller passes their effective status). Manual jobs never hold a stage back.
 */
export function aggregateStatus(statuses: readonly Status[]): Status {
  if (statuses.length === 0) return 'skipped';
  const has = (s: Status) => statuses.includes(s);
  if (has('running')) return 'running';
  if (has('failed')) return 'failed';
  if (has('canceled')) return 'canceled';
  if (has('queued')) return 'queued';
  if (has('pending')) return 'pending';
  if (statuses.every((s) => s === 'skipped')) return 'skipped';
  if (statuses.every((s) => s === 'manual' || s === 'skipped')) return 'manual';
  return 'succeeded';
}
