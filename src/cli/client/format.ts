import type { RunSummary } from '../../api/runs.js';
import { formatDuration } from '../../domain/duration.js';
import { statusIcon } from '../../domain/status.js';

/** Column heads of `slipway runs`, in the order of `runCells`. */
export const RUN_COLUMNS = ['#', 'RECORD', 'TRIGGERED BY', 'REF', 'STATUS', 'DURATION', 'COMMITTED'];

/**
 * One row of the execution records table, as the web page shows it. Stage marks are emoji only
 * on a terminal that allows colour (`fancy`); piped or NO_COLOR output says the status in words.
 */
export function runCells(run: RunSummary, now: number, fancy: boolean): string[] {
  const marks = fancy
    ? `${run.stages.map((s) => statusIcon(s.status)).join('-') || statusIcon(run.status)} `
    : '';
  const who = run.trigger === 'push' ? run.actor : `${run.actor} (${run.trigger})`;
  return [
    `#${run.number}`,
    run.record,
    who,
    `${run.ref.name}·${run.shortSha}`,
    `${marks}${statusText(run)}`,
    run.durationMs !== null ? formatDuration(run.durationMs) : '-',
    run.commitTime ? ago(now - run.commitTime) : '-',
  ];
}

export function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `about ${hours} hour${hours > 1 ? 's' : ''} ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days > 1 ? 's' : ''} ago`;
}

/**
 * The status with why a canceled run was canceled: `canceled (superseded by #12)` tells the
 * reader the newer push replaced it, which a bare `canceled` would hide.
 */
export function statusText(run: Pick<RunSummary, 'status' | 'cancelReason'>): string {
  const reason = run.status === 'canceled' ? run.cancelReason : null;
  if (!reason) return run.status;
  return reason.code === 'superseded'
    ? `${run.status} (superseded by #${reason.by})`
    : `${run.status} (by ${reason.actor})`;
}
