/**
 * Project settings: who sees the project (visibility) and who may do what in it (members and
 * their project roles). Project maintainers and admins change them; everyone who reads the
 * project sees them. The server decides; this only offers what the caller's role allows.
 */
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { Section } from '../settings/SettingsSection.js';
import { field, useAction, useFormThenReload } from '../settings/settings-actions.js';
import { accessApi, type ProjectRole, type Visibility } from './access-api.js';

const ROLES: ProjectRole[] = ['viewer', 'developer', 'maintainer'];
const VISIBILITIES: Visibility[] = ['private', 'internal', 'public'];

export function MembersSettings({ project, onChanged }: { project: string; onChanged: () => void }) {
  const { t } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.members(project),
    queryFn: () => accessApi.members(project),
  });
  const reload = useInvalidate(queryKeys.members(project));
  const [error, busy, run] = useAction();
  const canEdit = data?.myRole === 'maintainer';
  const [added, add] = useFormThenReload(reload, (form) =>
    accessApi.putMember(project, field(form, 'username'), field(form, 'role') as ProjectRole),
  );
  return (
    <Section title={t('access.title')} testid="members-settings">
      <ErrorNote error={loadError} />
      {data ? (
        <>
          <label className="inline">
            {t('access.visibility')}{' '}
            <select
              data-testid="visibility"
              value={data.visibility}
              disabled={busy || !canEdit}
              onChange={(e) => {
                const visibility = e.currentTarget.value as Visibility;
                void run(async () => {
                  await accessApi.setVisibility(project, visibility);
                  reload();
                  onChanged();
                });
              }}
            >
              {VISIBILITIES.map((v) => (
                <option
                  key={v}
                  value={v}
                  disabled={v === 'public' && !data.publicAllowed && data.visibility !== 'public'}
                >
                  {t(`access.visibility.${v}`)}
                </option>
              ))}
            </select>
          </label>
          <p className="hint">{t(`access.visibilityHint.${data.visibility}`)}</p>
          {data.publicAllowed ? null : <p className="hint">{t('access.publicOff')}</p>}
          <h3>{t('access.members')}</h3>
          <p className="hint">{t('access.rolesHint')}</p>
          <ul className="plain-list" data-testid="members">
            {data.members.map((m) => (
              <li key={m.username} data-testid="member" data-name={m.username}>
                <strong>{m.username}</strong>{' '}
                <select
                  aria-label={m.username}
                  value={m.role}
                  disabled={busy || !canEdit}
                  onChange={(e) => {
                    const role = e.currentTarget.value as ProjectRole;
                    void run(async () => {
                      await accessApi.putMember(project, m.username, role);
                      reload();
                    });
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`access.role.${r}`)}
                    </option>
                  ))}
                </select>{' '}
                <span className="muted">{t('access.instanceRole', { role: m.instanceRole })}</span>{' '}
                {canEdit ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      void run(async () => {
                        await accessApi.removeMember(project, m.username);
                        reload();
                      })
                    }
                  >
                    {t('access.remove')}
                  </button>
                ) : null}
              </li>
            ))}
            {data.members.length === 0 ? <li className="muted">{t('access.noMembers')}</li> : null}
          </ul>
          {canEdit ? (
            <form className="inline" action={add} data-testid="add-member">
              <input
                name="username"
                required
                defaultValue={added.values.username ?? ''}
                placeholder={t('access.username')}
                aria-label={t('access.username')}
              />
              <select
                name="role"
                key={added.values.role ?? 'developer'}
                defaultValue={added.values.role ?? 'developer'}
                aria-label={t('access.members')}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`access.role.${r}`)}
                  </option>
                ))}
              </select>
              <SubmitButton disabled={busy}>{t('access.add')}</SubmitButton>
            </form>
          ) : null}
        </>
      ) : null}
      <ErrorNote error={added.error ?? error} />
    </Section>
  );
}
