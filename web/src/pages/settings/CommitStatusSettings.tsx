import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { formatTime } from '../../i18n/format.js';
import { tCode } from '../../i18n/index.js';
import type { Delivery } from './DeliveryLog.js';
import { Section } from './SettingsSection.js';
import { field, useFormThenReload } from './settings-actions.js';

interface StatusSettings {
  forge: string | null;
  offered: boolean;
  enabled: boolean;
  tokenSet: boolean;
  apiUrl: string | null;
  apiUrlOverride: string | null;
  lastDelivery: Delivery | null;
}

/** Commit statuses on the forge: token (write-only), API base override, the last status sent. */
export function CommitStatusSettings({ project, canEdit }: { project: string; canEdit: boolean }) {
  const { t, lang } = useI18n();
  const path = `/api/projects/${encodeURIComponent(project)}/commit-status`;
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.commitStatus(project),
    queryFn: () => apiFetch<StatusSettings>(path),
  });
  const reload = useInvalidate(queryKeys.commitStatus(project));
  const [sent, submit] = useFormThenReload(reload, (form) => {
    const token = field(form, 'token');
    const apiUrl = field(form, 'apiUrl');
    return apiFetch(path, {
      method: 'PUT',
      body: { enabled: form.get('enabled') === 'on', ...(token ? { token } : {}), apiUrl: apiUrl || null },
    });
  });
  // After a refusal the fields show what was sent; otherwise what the server has.
  const typed = sent.error ? sent.values : null;
  const last = data?.lastDelivery;
  return (
    <Section title={t('status.title')} testid="commit-status">
      <p className="hint">{t('status.hint')}</p>
      <ErrorNote error={loadError} />
      {data && !data.offered ? <p className="muted">{t('status.notOffered')}</p> : null}
      {data?.offered ? (
        <>
          {canEdit ? (
            <form className="stack-form" action={submit}>
              <label>
                <input
                  type="checkbox"
                  name="enabled"
                  defaultChecked={typed ? typed.enabled === 'on' : data.enabled}
                />{' '}
                {t('status.enabled')}
              </label>
              <input
                name="token"
                type="password"
                autoComplete="new-password"
                placeholder={t('status.token')}
                aria-label={t('status.token')}
              />
              {data.tokenSet ? <span className="muted">{t('status.tokenSet')}</span> : null}
              <input
                name="apiUrl"
                defaultValue={typed ? (typed.apiUrl ?? '') : (data.apiUrlOverride ?? '')}
                placeholder={data.apiUrl ?? ''}
                aria-label={t('status.apiUrl')}
              />
              <SubmitButton>{t('status.save')}</SubmitButton>
            </form>
          ) : null}
          <p>
            {t('status.last')}:{' '}
            {last ? (
              <span data-testid="last-status" data-status={last.status}>
                {last.event} · {tCode(t, 'notify.status', last.status, last.status)} ·{' '}
                {last.responseCode ?? '-'} · {formatTime(last.lastAttemptAt ?? last.createdAt, lang)}{' '}
                {last.error ?? ''}
              </span>
            ) : (
              <span className="muted">{t('status.none')}</span>
            )}
          </p>
        </>
      ) : null}
      <ErrorNote error={sent.error} />
    </Section>
  );
}
