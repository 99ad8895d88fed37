/**
 * Registry credentials as a page section: the instance's (Administration → Registries) or one
 * project's (Settings). Passwords are write-only; "Check" logs in to the registry and says how
 * it went in the reader's language (the server answers a result code).
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../../api/query-keys.js';
import { type RegistryCheckJson, registries } from '../../api/registries.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { formatTime } from '../../i18n/format.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { field, useAction, useFormThenReload } from './settings-actions.js';

export function RegistrySettings({ project, canEdit }: { project: string | null; canEdit: boolean }) {
  const { t, lang } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.registries(project),
    queryFn: () => registries.list(project),
  });
  const reload = useInvalidate(queryKeys.registries(project));
  const [error, busy, run] = useAction();
  const [checks, setChecks] = useState<Record<string, RegistryCheckJson['result']>>({});
  const [sent, submit] = useFormThenReload(reload, (form) =>
    registries.add(project, {
      host: field(form, 'registryHost'),
      username: field(form, 'registryUser'),
      password: String(form.get('registryPassword') ?? ''),
    }),
  );
  const check = (id: string) =>
    run(async () => {
      const answer = await registries.check(project, id);
      setChecks((c) => ({ ...c, [id]: answer.result }));
    });
  return (
    <ListSection
      title={t('registries.title')}
      testid="registries"
      hint={t(project === null ? 'registries.hintGlobal' : 'registries.hintProject')}
      loadError={loadError}
      empty={data?.length === 0 ? t('registries.none') : null}
      error={sent.error ?? error}
      form={
        canEdit ? (
          <form className="inline-form" action={submit}>
            <input
              name="registryHost"
              defaultValue={sent.values.registryHost ?? ''}
              aria-label={t('registries.host')}
              placeholder="registry.example.com:5000"
              required
            />
            <input
              name="registryUser"
              defaultValue={sent.values.registryUser ?? ''}
              aria-label={t('registries.username')}
              placeholder={t('registries.username')}
              autoComplete="off"
              required
            />
            <input
              name="registryPassword"
              type="password"
              autoComplete="new-password"
              aria-label={t('registries.password')}
              placeholder={t('registries.password')}
              required
            />
            <SubmitButton disabled={busy}>{t('registries.add')}</SubmitButton>
          </form>
        ) : null
      }
    >
      {data?.map((r) => (
        <li key={r.id} data-testid="registry-item" data-host={r.host}>
          <code>{r.host}</code>
          <span>{r.username}</span>
          <span className="muted">
            {r.scope === 'global' && project !== null ? `${t('registries.global')} · ` : ''}
            {formatTime(r.createdAt, lang)} · {r.createdBy}
          </span>
          {checks[r.id] ? (
            <span className={checks[r.id] === 'ok' ? 'ok' : 'error'} data-testid="registry-check">
              {t(`registries.check.${checks[r.id] as RegistryCheckJson['result']}`)}
            </span>
          ) : null}
          {canEdit && (r.scope === 'project' || project === null) ? (
            <>
              <button type="button" disabled={busy} onClick={() => check(r.id)}>
                {t('registries.check')}
              </button>
              <RemoveButton
                label={t('common.delete')}
                busy={busy}
                run={run}
                reload={reload}
                remove={() => registries.remove(project, r.id)}
              />
            </>
          ) : null}
        </li>
      ))}
    </ListSection>
  );
}
