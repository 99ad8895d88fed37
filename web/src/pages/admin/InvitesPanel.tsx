import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { accounts, ROLES, type Role } from '../../api/accounts.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { CopyField } from '../../components/CopyField.js';
import { formatTime } from '../../i18n/format.js';
import { ListSection, RemoveButton } from '../settings/SettingsSection.js';
import { useAction } from '../settings/settings-actions.js';

/** One-time invitation links: make one for a role (shown once), list them, revoke unused ones. */
export function InvitesPanel() {
  const { t, lang } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.adminInvites(),
    queryFn: () => accounts.invites(),
  });
  const reload = useInvalidate(queryKeys.adminInvites());
  const [link, setLink] = useState<string | null>(null);
  const [role, setRole] = useState<Role>('viewer');
  const [error, busy, run] = useAction();
  const now = Date.now();
  return (
    <ListSection
      title={t('users.invites')}
      testid="invites"
      hint={t('users.invitesHint')}
      loadError={loadError}
      empty={null}
      error={error}
      form={
        <>
          {link ? <CopyField label={t('users.inviteLink')} value={link} /> : null}
          <div className="inline-form">
            <select
              aria-label={t('users.role')}
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  const made = await accounts.createInvite(role);
                  setLink(made.url ?? `${window.location.origin}${made.path}`);
                  reload();
                })
              }
            >
              {t('users.invite')}
            </button>
          </div>
        </>
      }
    >
      {data
        ?.filter((i) => i.usedBy !== null || i.expiresAt > now)
        .map((i) => (
          <li key={i.id}>
            <span>
              {t(`role.${i.role}`)} · <code>{i.id}</code>
            </span>
            <span className="muted">
              {i.usedBy
                ? t('users.inviteUsed', { user: i.usedBy })
                : t('users.inviteOpen', { time: formatTime(i.expiresAt, lang) })}
            </span>
            {i.usedBy ? null : (
              <RemoveButton
                label={t('users.revoke')}
                busy={busy}
                run={run}
                reload={reload}
                remove={() => accounts.revokeInvite(i.id)}
              />
            )}
          </li>
        ))}
    </ListSection>
  );
}
