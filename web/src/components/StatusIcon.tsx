import type { Status } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';

/** The records table's icons (same as domain/status.ts `statusIcon`), plus a word for each. */
const ICONS: Record<Status, string> = {
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭',
  canceled: '⛔',
  manual: '⏸',
  running: '🕒',
  queued: '🕒',
  pending: '🕒',
};

export function statusIcon(status: Status): string {
  return ICONS[status] ?? '•';
}

/** Icon with the status word next to it (`withWord`) or as its accessible label. */
export function StatusIcon({
  status,
  t,
  withWord = false,
}: {
  status: Status;
  t: TFunction;
  withWord?: boolean;
}) {
  const word = t(`status.${status}`);
  return (
    <span className={`status status-${status}`} title={word}>
      <span aria-hidden="true">{statusIcon(status)}</span>
      {withWord ? <span className="status-word">{word}</span> : <span className="sr-only">{word}</span>}
    </span>
  );
}
