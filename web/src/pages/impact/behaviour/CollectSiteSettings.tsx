import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { queryKeys } from '../../../api/query-keys.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { keepControlledFields } from '../../../components/form-action.js';
import { SubmitButton } from '../../../components/SubmitButton.js';
import type { TFunction } from '../../../i18n/index.js';
import { behaviourApi, impactPath, type SiteJson } from './behaviour-api.js';
import './behaviour.css';
import { useProjectCan } from '../../../app/project-role.js';

type Origin = SiteJson['origins'][number];

/**
 * The application's behaviour site, in its settings: the snippet to paste, the origins allowed
 * to send (each optionally mapped to an environment), the feedback widget switch. Maintainers
 * edit; everyone signed in sees the snippet.
 */
export function CollectSiteSettings({
  project,
  app,
  environments,
  t,
}: {
  project: string;
  app: string;
  environments: string[];
  t: TFunction;
}) {
  const canDo = useProjectCan();
  const client = useQueryClient();
  const site = useQuery({
    queryKey: queryKeys.collectSite(project, app),
    queryFn: () => behaviourApi.site(project, app),
  });
  const [origins, setOrigins] = useState<Origin[]>([]);
  const [feedback, setFeedback] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  useEffect(() => {
    if (!site.data) return;
    setOrigins(site.data.origins.length ? site.data.origins : [{ origin: '', environment: null }]);
    setFeedback(site.data.feedbackEnabled);
  }, [site.data]);
  const editable = canDo('maintainer');
  const save = async () => {
    setError(null);
    setNote('');
    try {
      const saved = await behaviourApi.saveSite(project, app, {
        origins: origins.filter((o) => o.origin.trim()).map((o) => ({ ...o, origin: o.origin.trim() })),
        feedbackEnabled: feedback,
      });
      client.setQueryData(queryKeys.collectSite(project, app), saved);
      setNote(t('site.saved'));
    } catch (err) {
      setError(err);
    }
  };
  const update = (i: number, change: Partial<Origin>) =>
    setOrigins((all) => all.map((o, j) => (j === i ? { ...o, ...change } : o)));
  const data = site.data;
  return (
    <details className="collect-site" data-testid={`collect-site-${app}`}>
      <summary>{t('site.title')}</summary>
      <ErrorNote error={site.error ?? error} />
      <p className="muted">{data?.configured ? t('site.intro') : t('site.notYet')}</p>
      {data?.snippet ? (
        <div className="collect-snippet">
          <code data-testid="collect-snippet">{data.snippet}</code>
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(data.snippet ?? '').then(() => setNote(t('site.copied')))
            }
          >
            {t('site.copy')}
          </button>
        </div>
      ) : null}
      <form action={save} onReset={keepControlledFields}>
        <fieldset disabled={!editable}>
          <legend>{t('site.origins')}</legend>
          {origins.map((o, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
            <div key={i} className="collect-origin">
              <input
                aria-label={t('site.origin')}
                placeholder="https://app.example.com"
                value={o.origin}
                onChange={(e) => update(i, { origin: e.target.value })}
              />
              <select
                aria-label={t('site.environment')}
                value={o.environment ?? ''}
                onChange={(e) => update(i, { environment: e.target.value || null })}
              >
                <option value="">{t('site.production')}</option>
                {environments.map((env) => (
                  <option key={env} value={env}>
                    {env}
                  </option>
                ))}
              </select>
              <button type="button" onClick={() => setOrigins((all) => all.filter((_, j) => j !== i))}>
                {t('site.remove')}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => setOrigins((all) => [...all, { origin: '', environment: null }])}
          >
            {t('site.addOrigin')}
          </button>
          <label className="collect-feedback">
            <input type="checkbox" checked={feedback} onChange={(e) => setFeedback(e.target.checked)} />{' '}
            {t('site.feedback')}
          </label>
          <SubmitButton>{t('site.save')}</SubmitButton> <span role="status">{note}</span>
        </fieldset>
      </form>
      <div className="collect-links">
        <Link href={`${impactPath(project, app)}/behaviour`}>{t('site.viewBehaviour')}</Link>
        <Link href={`${impactPath(project, app)}/feedback`}>{t('site.viewFeedback')}</Link>
      </div>
    </details>
  );
}
