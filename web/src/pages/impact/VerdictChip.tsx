import type { TFunction } from '../../i18n/index.js';
import './impact.css';

/** The verdict of a release as a coloured word; null (never went live) shows as "not live". */
export function VerdictChip({
  verdict,
  t,
  testId,
}: {
  verdict: 'better' | 'no_change' | 'worse' | 'not_enough_data' | null;
  t: TFunction;
  testId?: string;
}) {
  const key = verdict ?? 'not_live';
  return (
    <span className={`verdict-chip verdict-${key}`} title={t('impact.verdictTitle')} data-testid={testId}>
      {t(`impact.verdict.${key}`)}
    </span>
  );
}
