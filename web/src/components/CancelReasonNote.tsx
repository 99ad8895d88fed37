import { Link } from 'wouter';
import type { RunSummary } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';

/**
 * Why a run was canceled (or is being canceled): "Superseded by #N" with a link to the newer run
 * of the same branch, or "Canceled by max". Nothing for runs without a recorded reason.
 */
export function CancelReasonNote({ run, t }: { run: RunSummary; t: TFunction }) {
  const reason = run.cancelReason;
  if (!reason) return null;
  if (reason.code === 'superseded') {
    return (
      <p className="muted" data-testid="cancel-reason" data-code={reason.code}>
        <Link href={`/projects/${encodeURIComponent(run.project)}/runs/${reason.by}`}>
          {t('run.supersededBy', { n: reason.by })}
        </Link>
      </p>
    );
  }
  return (
    <p className="muted" data-testid="cancel-reason" data-code={reason.code}>
      {t('run.canceledBy', { actor: reason.actor })}
    </p>
  );
}
