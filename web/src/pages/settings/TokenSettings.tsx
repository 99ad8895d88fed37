/** The signed-in user's API tokens (not the project's): create, shown once, revoke. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { CopyField } from '../../components/CopyField.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { formatTime } from '../../i18n/format.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { field, useAction, useFormThenReload } from './settings-actions.js';

export function TokenSettings() {
  const { t, lang } = useI18n();
  const { data, error: loadError } = useQuery({ queryKey: queryKeys.tokens(), queryFn: () => api.tokens() });
  const reload = useInvalidate(queryKeys.tokens());
  const [created, setCreated] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  const [sent, submit] = useFormThenReload(reload, async (form) => {
    setCreated((await api.createToken(field(form, 'tokenName'))).token);
  });
  return (
    <ListSection
      title={t('settings.tokens')}
      testid="tokens"
      hint={t('settings.tokensHint')}
      loadError={loadError}
      empty={null}
      error={sent.error ?? error}
      form={
        <>
          {created ? (
            <>
              <CopyField label={t('settings.newToken')} value={created} />
              <p className="warning">{t('create.secretOnce')}</p>
            </>
          ) : null}
          <form className="inline-form" action={submit}>
            <input
              name="tokenName"
              defaultValue={sent.values.tokenName ?? ''}
              aria-label={t('settings.tokenName')}
              placeholder={t('settings.tokenName')}
              required
            />
            <SubmitButton disabled={busy}>{t('settings.createToken')}</SubmitButton>
          </form>
        </>
      }
    >
      {data
        ?.filter((tk) => !tk.revoked)
        .map((tk) => (
          <li key={tk.id}>
            <span>{tk.name}</span>
            <span className="muted">
              {tk.lastUsedAt
                ? `${t('settings.lastUsed')} ${formatTime(tk.lastUsedAt, lang)}`
                : t('settings.neverUsed')}
            </span>
            <RemoveButton
              label={t('settings.revoke')}
              busy={busy}
              run={run}
              reload={reload}
              remove={() => api.revokeToken(tk.id)}
            />
          </li>
        ))}
    </ListSection>
  );
}
