import { CircleCheck, CircleX, SkipForward } from 'lucide-react';
import type { ReactNode } from 'react';
import type { TFunction } from '../../i18n/index.js';

export interface TestCountsValue {
  passed: number;
  failed: number;
  skipped: number;
  coverage: number | null;
}

/**
 * "✓ 12 ✗ 1 ⤼ 2 · 83.4%" with SVG marks: a run's test counts and coverage, compact enough for a
 * records row. Each number carries its words for screen readers and as a tooltip.
 */
export function TestCounts({ tests, t }: { tests: TestCountsValue; t: TFunction }) {
  const coverage = tests.coverage === null ? null : formatPercent(tests.coverage);
  return (
    <span
      className="test-counts"
      data-testid="test-counts"
      data-passed={tests.passed}
      data-failed={tests.failed}
      data-skipped={tests.skipped}
      data-coverage={coverage ?? ''}
    >
      <Count n={tests.passed} label={t('records.passed', { n: tests.passed })} className="tc-passed">
        <CircleCheck size={13} aria-hidden="true" />
      </Count>
      {tests.failed > 0 ? (
        <Count n={tests.failed} label={t('records.failed', { n: tests.failed })} className="tc-failed">
          <CircleX size={13} aria-hidden="true" />
        </Count>
      ) : null}
      {tests.skipped > 0 ? (
        <Count n={tests.skipped} label={t('records.skipped', { n: tests.skipped })} className="tc-skipped">
          <SkipForward size={13} aria-hidden="true" />
        </Count>
      ) : null}
      {coverage !== null ? (
        <span
          className="tc tc-coverage"
          data-testid="coverage"
          title={t('records.coverage', { p: coverage })}
        >
          <span aria-hidden="true">{coverage}%</span>
          <span className="sr-only">{t('records.coverage', { p: coverage })}</span>
        </span>
      ) : null}
    </span>
  );
}

function Count({
  n,
  label,
  className,
  children,
}: {
  n: number;
  label: string;
  className: string;
  children: ReactNode;
}) {
  return (
    <span className={`tc ${className}`} title={label}>
      {children}
      <span aria-hidden="true">{n}</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}

/** One decimal at most: 83.4, 100, 0.5. */
function formatPercent(value: number): string {
  return String(Math.round(value * 10) / 10);
}
