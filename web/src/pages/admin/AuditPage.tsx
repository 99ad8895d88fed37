import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type AuditEntryJson, admin } from '../../api/admin.js';
import { queryKeys } from '../../api/query-keys.js';
import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { formatTime } from '../../i18n/format.js';

/** /admin/audit — who did what, newest first, filtered by user and action; pages back by id. */
export function AuditPage() {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const [filter, setFilter] = useState<{ actor?: string; action?: string }>({});
  const [older, setOlder] = useState<AuditEntryJson[]>([]);
  const [moreError, setMoreError] = useState<unknown>(null);
  const { data, error } = useQuery({
    queryKey: queryKeys.adminAudit(filter),
    queryFn: () => admin.audit(filter),
  });
  if (!can('admin')) return <p className="error">403</p>;
  const entries = [...(data?.entries ?? []), ...older];

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const actor = String(form.get('actor') ?? '').trim();
    const action = String(form.get('action') ?? '').trim();
    setOlder([]);
    setFilter({ ...(actor ? { actor } : {}), ...(action ? { action } : {}) });
  };
  const loadOlder = async () => {
    const last = entries.at(-1);
    if (!last) return;
    try {
      setOlder([...older, ...(await admin.audit({ ...filter, before: last.id })).entries]);
    } catch (err) {
      setMoreError(err);
    }
  };

  return (
    <div className="page audit-page">
      <h1>{t('audit.title')}</h1>
      <section className="card settings-section" data-testid="audit">
        <form className="inline-form" onSubmit={apply}>
          <input name="actor" aria-label={t('audit.filterActor')} placeholder={t('audit.filterActor')} />
          <input name="action" aria-label={t('audit.filterAction')} placeholder={t('audit.filterAction')} />
          <button type="submit">{t('audit.apply')}</button>
        </form>
        <ErrorNote error={error} />
        {data && entries.length === 0 ? <p className="muted">{t('audit.none')}</p> : null}
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('audit.when')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.action')}</th>
                <th>{t('audit.target')}</th>
                <th>{t('audit.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row">
                  <td>{formatTime(e.at, lang)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target}</td>
                  <td className="muted detail">
                    {Object.keys(e.detail).length > 0 ? JSON.stringify(e.detail) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {entries.length > 0 && entries.length % 100 === 0 ? (
          <button type="button" onClick={() => void loadOlder()}>
            {t('audit.more')}
          </button>
        ) : null}
        <ErrorNote error={moreError} />
      </section>
    </div>
  );
}
