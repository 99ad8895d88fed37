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
    `${icons} ${run.status}`,
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
