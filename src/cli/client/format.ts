import { formatDuration } from '../../domain/duration.js';
import { statusIcon } from '../../domain/status.js';
import type { RunSummaryJson } from './api-types.js';

/** One line of the execution records table, as the web page shows it. */
export function formatRunLine(run: RunSummaryJson, now: number): string {
  const icons = run.stages.map((s) => statusIcon(s.status)).join('-') || statusIcon(run.status);
  const took = run.durationMs !== null ? `took ${formatDuration(run.durationMs)}` : '';
  const age = run.commitTime ? `committed ${ago(now - run.commitTime)}` : '';
  const who = run.trigger === 'manual' ? `manual (${run.actor})` : run.actor;
  return [
    `#${run.number}`,
    run.record,
    who,
    `${run.ref.name}·${run.shortSha}`,
    `${icons} ${statusText(run)}`,
    took,
    age,
  ]
    .filter(Boolean)
    .join('  ');
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
export function statusText(run: Pick<RunSummaryJson, 'status' | 'cancelReason'>): string {
  const reason = run.status === 'canceled' ? run.cancelReason : null;
  if (!reason) return run.status;
  return reason.code === 'superseded'
    ? `${run.status} (superseded by #${reason.by})`
    : `${run.status} (by ${reason.actor})`;
}
