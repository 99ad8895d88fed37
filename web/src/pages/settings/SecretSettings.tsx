/** The project's secrets: names and dates only, values are write-only. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { formatTime } from '../../i18n/format.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { field, useAction, useFormThenReload } from './settings-actions.js';

export function SecretSettings({ project, canEdit }: { project: string; canEdit: boolean }) {
  const { t, lang } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.secrets(project),
    queryFn: () => api.secrets(project),
  });
  const reload = useInvalidate(queryKeys.secrets(project));
  const [error, busy, run] = useAction();
  const [sent, submit] = useFormThenReload(reload, (form) =>
    api.setSecret(project, field(form, 'secretName'), String(form.get('secretValue') ?? '')),
  );
  return (
    <ListSection
      title={t('settings.secrets')}
      testid="secrets"
      hint={t('settings.secretsHint')}
      loadError={loadError}
      empty={data?.length === 0 ? t('settings.noSecrets') : null}
      error={sent.error ?? error}
      form={
        canEdit ? (
          <form className="inline-form" action={submit}>
            <input
              name="secretName"
              defaultValue={sent.values.secretName ?? ''}
              aria-label={t('settings.secretName')}
              placeholder="NAME"
              required
            />
            <input
              name="secretValue"
              type="password"
              autoComplete="new-password"
              aria-label={t('settings.secretValue')}
              placeholder={t('settings.secretValue')}
              required
              minLength={8}
            />
            <SubmitButton disabled={busy}>{t('settings.setSecret')}</SubmitButton>
          </form>
        ) : null
      }
    >
      {data?.map((s) => (
        <li key={s.name} data-testid="secret-item" data-name={s.name}>
          <code>{s.name}</code>
          <span className="muted">{formatTime(s.updatedAt, lang)}</span>
          {canEdit ? (
            <RemoveButton
              label={t('common.delete')}
              busy={busy}
              run={run}
              reload={reload}
              remove={() => api.deleteSecret(project, s.name)}
            />
          ) : null}
        </li>
      ))}
    </ListSection>
  );
}
