/** An application's release history, newest first, with a rollback per successful release. */
import { Link } from 'wouter';
import type { VerdictListJson } from '../../../src/api/impact.js';
import type { ReleaseJson } from '../../../src/api/releases.js';
import { useI18n } from '../app/i18n-context.js';
import { useNow } from '../components/use-now.js';
import { formatAgo, formatDuration, formatTime } from '../i18n/format.js';
import { type TFunction, tCode } from '../i18n/index.js';
import { VerdictChip } from './impact/VerdictChip.js';
import { releaseReasonText } from './release-reason.js';
import { shortImage } from './short-image.js';

export function ReleaseHistory({
  project,
  app,
  releases,
  verdicts = [],
  t,
  act,
  canDeploy = true,
}: {
  project: string;
  app: string;
  releases: ReleaseJson[];
  /** Impact verdicts by release number (issue #13); a release without one shows no chip. */
  verdicts?: VerdictListJson['releases'];
  t: TFunction;
  act: (path: string, body: unknown) => Promise<void>;
  /** Rolling back needs the developer role: without it the history only shows. */
  canDeploy?: boolean;
}) {
  const now = useNow(30_000);
  const { lang } = useI18n();
  const verdictOf = new Map(verdicts.map((v) => [v.number, v]));
  return (
    <div className="table-wrap">
      <table className="records-table releases-table" data-testid={`releases-${app}`}>
        <thead>
          <tr>
            <th>{t('apps.version')}</th>
            <th>{t('apps.environment')}</th>
            <th>{t('apps.digest')}</th>
            <th>{t('apps.trigger')}</th>
            <th>{t('apps.who')}</th>
            <th>{t('apps.when')}</th>
            <th>{t('apps.duration')}</th>
            <th>{t('apps.result')}</th>
            <th>{t('apps.run')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => (
            <tr key={r.id} data-testid={`release-${app}-${r.number}`}>
              <td data-label={t('apps.version')}>
                <strong>#{r.number}</strong>
              </td>
              <td data-label={t('apps.environment')}>{r.environment}</td>
              <td data-label={t('apps.digest')}>
                <code title={r.digest ?? r.image ?? ''}>{shortImage(r)}</code>
              </td>
              <td data-label={t('apps.trigger')}>
                {r.trigger === 'rollback'
                  ? t('apps.trigger.rollback', { n: r.rollbackOf ?? '?' })
                  : tCode(t, 'apps.trigger', r.trigger, r.trigger)}
              </td>
              <td data-label={t('apps.who')}>{r.actor}</td>
              <td data-label={t('apps.when')} className="cell-time" title={formatTime(r.createdAt, lang)}>
                {formatAgo(r.createdAt, now, lang)}
              </td>
              <td data-label={t('apps.duration')} className="cell-time">
                {r.durationMs === null ? '–' : formatDuration(r.durationMs, t)}
              </td>
              <td
                data-label={t('apps.result')}
                data-testid={`release-status-${app}-${r.number}`}
                title={releaseReasonText(r, t)}
              >
                <span className={`status-word status-${r.status}`}>
                  {tCode(t, 'apps.status', r.status, r.status)}
                </span>
                {r.reasonCode ? (
                  <small className="muted release-reason" data-testid={`release-reason-${app}-${r.number}`}>
                    {' '}
                    {releaseReasonText(r, t)}
                  </small>
                ) : null}
                {verdictOf.get(r.number)?.verdict ? (
                  <>
                    {' '}
                    <VerdictChip
                      verdict={verdictOf.get(r.number)?.verdict ?? null}
                      t={t}
                      testId={`release-verdict-${app}-${r.number}`}
                    />
                  </>
                ) : null}
              </td>
              <td data-label={t('apps.run')}>
                {r.releaseRun ? (
                  <Link href={`/projects/${encodeURIComponent(project)}/runs/${r.releaseRun}`}>
                    #{r.releaseRun}
                  </Link>
                ) : (
                  '–'
                )}
              </td>
              <td className="cell-action">
                {canDeploy && r.status === 'succeeded' && r.trigger !== 'scale' ? (
                  <button
                    type="button"
                    className="button-small"
                    data-testid={`rollback-${app}-${r.number}`}
                    onClick={() =>
                      void act(`/environments/${encodeURIComponent(r.environment)}/rollback`, {
                        release: r.number,
                      })
                    }
                  >
                    {t('apps.rollback')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
