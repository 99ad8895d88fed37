import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { formatTime } from '../../i18n/format.js';
import { behaviourApi } from './behaviour/behaviour-api.js';
import { ImpactTabs } from './ImpactTabs.js';
import './behaviour/behaviour.css';

type Status = 'open' | 'resolved' | 'all';

/** 用户反馈: the messages of the page widget, filtered by release, rating and status; resolvable. */
export default function FeedbackPage({ project, app }: { project: string; app: string }) {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const [release, setRelease] = useState('');
  const [rating, setRating] = useState('');
  const [status, setStatus] = useState<Status>('open');
  const [error, setError] = useState<unknown>(null);
  const params = new URLSearchParams();
  if (/^\d+$/.test(release)) params.set('release', release);
  if (rating) params.set('rating', rating);
  if (status !== 'all') params.set('resolved', String(status === 'resolved'));
  const query = params.toString();
  const list = useQuery({
    queryKey: queryKeys.feedback(project, app, query),
    queryFn: () => behaviourApi.feedback(project, app, query),
  });
  // Resolving moves a message between the open and resolved lists: every filter is re-read.
  const reload = useInvalidate(queryKeys.feedbackLists(project, app));
  const toggle = async (id: string, resolved: boolean) => {
    setError(null);
    try {
      await behaviourApi.resolve(project, app, id, resolved);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const messages = list.data?.messages ?? [];
  return (
    <section className="page feedback" data-testid="feedback-page">
      <ImpactTabs project={project} app={app} active="feedback" t={t} />
      <h1>
        {t('behaviour.feedbackTitle')} · {app}
      </h1>
      <form className="behaviour-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('behaviour.release')}{' '}
          <input
            value={release}
            inputMode="numeric"
            size={6}
            placeholder={t('behaviour.allReleases')}
            onChange={(e) => setRelease(e.target.value.trim())}
          />
        </label>
        <label>
          {t('feedback.rating')}{' '}
          <select value={rating} onChange={(e) => setRating(e.target.value)}>
            <option value="">{t('feedback.anyRating')}</option>
            {[5, 4, 3, 2, 1].map((r) => (
              <option key={r} value={String(r)}>
                {'★'.repeat(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('feedback.status')}{' '}
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value as Status)}
            data-testid="feedback-status"
          >
            {(['open', 'resolved', 'all'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`feedback.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={list.error ?? error} />
      {list.data && messages.length === 0 ? <p className="muted">{t('feedback.empty')}</p> : null}
      <ul className="feedback-list">
        {messages.map((m) => (
          <li
            key={m.id}
            className={m.resolvedAt ? 'feedback-item resolved' : 'feedback-item'}
            data-testid="feedback-item"
          >
            <p>{m.message}</p>
            <div className="feedback-meta">
              <span>{m.rating ? '★'.repeat(m.rating) : t('feedback.noRating')}</span>
              {m.release ? <span>{t('behaviour.releaseN', { n: m.release })}</span> : null}
              {m.environment ? <span>{m.environment}</span> : null}
              <span>
                {t('feedback.page')}: {m.page}
              </span>
              {m.contact ? (
                <span>
                  {t('feedback.contact')}: {m.contact}
                </span>
              ) : null}
              <span>{formatTime(m.createdAt, lang)}</span>
              {can('maintainer') ? (
                <button type="button" onClick={() => void toggle(m.id, !m.resolvedAt)}>
                  {m.resolvedAt ? t('feedback.reopen') : t('feedback.resolve')}
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
