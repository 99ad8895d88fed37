import { useQuery } from '@tanstack/react-query';
import type { ImpactCardJson, SideJson } from '../../../../src/api/impact.js';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { TFunction } from '../../i18n/index.js';
import { millis, percent, pValue, stat } from './impact-format.js';
import { VerdictChip } from './VerdictChip.js';

/** The impact card of one release: verdict, before/after numbers, the tests, canary, signals. */
export function ReleaseImpactCard({ appPath, number, t }: { appPath: string; number: number; t: TFunction }) {
  const { data: card, error } = useQuery({
    // Keyed by its URL: the card is shown with only the application's API path at hand.
    queryKey: queryKeys.apiPath(`${appPath}/releases/${number}/impact`),
    queryFn: () => apiFetch<ImpactCardJson>(`${appPath}/releases/${number}/impact`),
  });
  return (
    <article className="impact-card" data-testid={`impact-card-${number}`}>
      <header className="impact-card-head">
        <h3>{t('impact.release', { n: number })}</h3>
        {card ? (
          <VerdictChip
            verdict={card.phase === 'not_live' ? null : card.verdict}
            t={t}
            testId={`impact-verdict-${number}`}
          />
        ) : null}
        {card && card.phase !== 'final' ? (
          <span className="muted">{t(`impact.phase.${card.phase}`)}</span>
        ) : null}
      </header>
      <ErrorNote error={error} />
      {card ? <CardBody card={card} t={t} /> : null}
    </article>
  );
}

function CardBody({ card, t }: { card: ImpactCardJson; t: TFunction }) {
  const change = (c: NonNullable<ImpactCardJson['canary']>['verdict']) => t(`impact.verdict.${c}`);
  return (
    <>
      <p className="muted">
        {t('impact.window', { min: card.settings.windowMs / 60_000, n: card.settings.minRequests })}
      </p>
      <SidesTable
        rows={[
          [t('impact.before'), card.before],
          [t('impact.after'), card.after],
        ]}
        t={t}
      />
      <ul className="impact-tests">
        <li>
          {t('impact.test.errorRate', {
            z: stat(card.tests.errorRate.z),
            p: pValue(card.tests.errorRate.pValue),
            change: change(card.tests.errorRate.change),
          })}
        </li>
        <li>
          {t('impact.test.latency', {
            z: stat(card.tests.latency.z),
            p: pValue(card.tests.latency.pValue),
            change: change(card.tests.latency.change),
          })}
        </li>
      </ul>
      {card.canary ? (
        <section className="impact-canary" data-testid={`impact-canary-${card.release.number}`}>
          <h4>{t('impact.canaryTitle', { verdict: change(card.canary.verdict) })}</h4>
          <SidesTable
            rows={[
              [t('impact.stable'), card.canary.stable],
              [t('impact.canary'), card.canary.canary],
            ]}
            t={t}
          />
        </section>
      ) : null}
      <p className="impact-signals" data-testid={`impact-signals-${card.release.number}`}>
        <span>
          {t('impact.clientErrors', {
            before: card.clientErrors.before,
            after: card.clientErrors.after,
            total: card.clientErrors.total,
          })}
        </span>
        <span>
          {card.feedback.averageRating === null
            ? t('impact.feedback', { n: card.feedback.count })
            : t('impact.feedbackRating', { n: card.feedback.count, r: card.feedback.averageRating })}
        </span>
      </p>
    </>
  );
}

function SidesTable({ rows, t }: { rows: [string, SideJson][]; t: TFunction }) {
  const cols = ['release', 'requests', 'errorRate', 'p50', 'p95', 'p99'] as const;
  return (
    <div className="table-wrap">
      <table className="records-table impact-sides">
        <thead>
          <tr>
            <th />
            {cols.map((c) => (
              <th key={c}>{t(`impact.col.${c}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, s]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td data-label={t('impact.col.release')}>
                {s.release === null ? t('impact.none') : `#${s.release}`}
              </td>
              <td data-label={t('impact.col.requests')}>{s.requests}</td>
              <td data-label={t('impact.col.errorRate')}>{percent(s.errorRate)}</td>
              <td data-label={t('impact.col.p50')}>{millis(s.p50)}</td>
              <td data-label={t('impact.col.p95')}>{millis(s.p95)}</td>
              <td data-label={t('impact.col.p99')}>{millis(s.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
