import { useQuery } from '@tanstack/react-query';
import { accounts, ROLES, type Role, type UserJson } from '../../api/accounts.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { formatTime } from '../../i18n/format.js';
import { field, useAction, useFormThenReload } from '../settings/settings-actions.js';
import { InvitesPanel } from './InvitesPanel.js';

/** /admin/users — every account: role, disable/enable, reset password, delete; add users and invite. */
export function UsersPage() {
  const { t, lang } = useI18n();
  const { user: me, can } = useAuth();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.adminUsers(),
    queryFn: () => accounts.users(),
  });
  const reload = useInvalidate(queryKeys.adminUsers());
  const [error, busy, run] = useAction();
  const [added, add] = useFormThenReload(reload, (form) =>
    accounts.createUser({
      username: field(form, 'username'),
      password: String(form.get('password') ?? ''),
      role: field(form, 'role') as Role,
      mustChangePassword: form.get('mustChange') === 'on',
    }),
  );
  if (!can('admin')) return <p className="error">403</p>;
  const act = (fn: () => Promise<unknown>) =>
    void run(async () => {
      await fn();
      reload();
    });
  const state = (u: UserJson) =>
    u.disabled ? t('users.disabled') : u.mustChangePassword ? t('users.mustChange') : t('users.active');

  return (
    <div className="page users-page">
      <h1>{t('users.title')}</h1>
      <section className="card settings-section" data-testid="users">
        <ErrorNote error={loadError} />
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('users.username')}</th>
                <th>{t('users.role')}</th>
                <th>{t('users.state')}</th>
                <th>{t('users.created')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data?.map((u) => (
                <tr
                  key={u.username}
                  data-testid={`user-${u.username}`}
                  className={u.disabled ? 'muted' : undefined}
                >
                  <td>{u.username}</td>
                  <td>
                    <select
                      aria-label={t('users.role')}
                      value={u.role}
                      disabled={busy}
                      onChange={(e) =>
                        act(() => accounts.updateUser(u.username, { role: e.target.value as Role }))
                      }
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`role.${r}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{state(u)}</td>
                  <td>{formatTime(u.createdAt, lang)}</td>
                  <td className="row-actions">
                    {u.username === me?.username ? null : (
                      <button
                        type="button"
                        disabled={busy}
                        onClick={() => act(() => accounts.updateUser(u.username, { disabled: !u.disabled }))}
                      >
                        {u.disabled ? t('users.enable') : t('users.disable')}
                      </button>
                    )}
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => {
                        const password = window.prompt(t('users.resetPrompt', { user: u.username }));
                        if (password) act(() => accounts.updateUser(u.username, { password }));
                      }}
                    >
                      {t('users.reset')}
                    </button>
                    {u.username === me?.username ? null : (
                      <button
                        type="button"
                        className="danger"
                        disabled={busy}
                        onClick={() => {
                          if (window.confirm(t('users.confirmDelete', { user: u.username })))
                            act(() => accounts.deleteUser(u.username));
                        }}
                      >
                        {t('users.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3>{t('users.create')}</h3>
        <form className="inline-form wrap" action={add} data-testid="add-user">
          <input
            name="username"
            aria-label={t('users.username')}
            placeholder={t('users.username')}
            required
            defaultValue={added.values.username ?? ''}
          />
          <input
            name="password"
            type="password"
            aria-label={t('users.password')}
            placeholder={t('users.password')}
            autoComplete="new-password"
            minLength={12}
            required
          />
          {/* Keyed by what was sent: a select takes a new default only when it mounts. */}
          <select
            name="role"
            aria-label={t('users.role')}
            key={added.values.role ?? 'viewer'}
            defaultValue={added.values.role ?? 'viewer'}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
          <label className="check">
            <input
              type="checkbox"
              name="mustChange"
              defaultChecked={added.error ? added.values.mustChange === 'on' : true}
            />
            {t('users.forceChange')}
          </label>
          <SubmitButton disabled={busy}>{t('users.create')}</SubmitButton>
        </form>
        <ErrorNote error={added.error} />
        <ErrorNote error={error} />
      </section>
      <InvitesPanel />
    </div>
  );
}
