import { Sailboat } from 'lucide-react';
import { useState } from 'react';
import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { TokenSettings } from '../settings/TokenSettings.js';
import { ChangePasswordForm } from './ChangePasswordForm.js';

/** The signed-in user's own page: password and API tokens. */
export function AccountPage() {
  const { t } = useI18n();
  const { user } = useAuth();
  const [changed, setChanged] = useState(false);
  return (
    <div className="page account-page">
      <h1>
        {t('account.title')} · {user?.username}{' '}
        <span className="muted">({t(`role.${user?.role ?? 'viewer'}`)})</span>
      </h1>
      <section className="card settings-section">
        <h2>{t('account.changePassword')}</h2>
        {changed ? (
          <p className="note" role="status">
            {t('account.changed')}
          </p>
        ) : null}
        <ChangePasswordForm onChanged={() => setChanged(true)} />
      </section>
      <TokenSettings />
    </div>
  );
}

/**
 * Shown instead of the app while the password still has to be replaced (the server refuses
 * everything else until then).
 */
export function MustChangePasswordPage({ onChanged }: { onChanged: () => void }) {
  const { t } = useI18n();
  return (
    <main className="signin">
      <div className="card signin-card" data-testid="must-change-password">
        <h1>
          <Sailboat size={26} aria-hidden="true" /> Slipway
        </h1>
        <p className="warning">{t('account.mustChange')}</p>
        <ChangePasswordForm onChanged={onChanged} />
      </div>
    </main>
  );
}
