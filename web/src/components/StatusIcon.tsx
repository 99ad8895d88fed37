import {
  Ban,
  CircleCheck,
  CircleDashed,
  CirclePause,
  CircleX,
  Clock,
  Hourglass,
  LoaderCircle,
  Lock,
  type LucideIcon,
  SkipForward,
} from 'lucide-react';
import type { Status } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';

/**
 * Every status mark of the UI: an SVG from lucide (never an emoji, which renders as a box on a
 * machine without an emoji font), one distinct shape per status so colour is not the only cue.
 * `waiting` is a queued run no agent can take; `blocked` a release or job held by an approval.
 */
export type IconStatus = Status | 'waiting' | 'blocked';

const ICONS: Record<IconStatus, LucideIcon> = {
  succeeded: CircleCheck,
  failed: CircleX,
  running: LoaderCircle,
  pending: CircleDashed,
  queued: Clock,
  waiting: Hourglass,
  skipped: SkipForward,
  manual: CirclePause,
  canceled: Ban,
  blocked: Lock,
};

/** The accessible word of a status in the UI language. */
export function statusLabel(status: IconStatus, t: TFunction): string {
  return status === 'waiting' || status === 'blocked' ? t(`icon.${status}`) : t(`status.${status}`);
}

/** Icon with the status word next to it (`withWord`) or as its accessible label. */
export function StatusIcon({
  status,
  t,
  withWord = false,
  size = 16,
}: {
  status: IconStatus;
  t: TFunction;
  withWord?: boolean;
  size?: number;
}) {
  const word = statusLabel(status, t);
  const Icon = ICONS[status] ?? CircleDashed;
  const svg = (
    <Icon className="status-svg" size={size} strokeWidth={2.25} aria-hidden="true" focusable="false" />
  );
  if (withWord) {
    return (
      <span className={`status status-${status}`} data-status-icon={status}>
        {svg}
        <span className="status-word">{word}</span>
      </span>
    );
  }
  return (
    <span
      className={`status status-${status}`}
      data-status-icon={status}
      role="img"
      aria-label={word}
      title={word}
    >
      {svg}
    </span>
  );
}
