import { type FormEvent, useState } from 'react';
import { accounts } from '../../api/accounts.js';
import { setCsrfToken } from '../../api/http.js';
import { useI18n } from '../../app/i18n-context.js';
import { LangSelect } from '../../app/Layout.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { NewPasswordFields } from './NewPasswordFields.js';

/** /invite/:token — a one-time link turned into an account; signed in right after. */
export function InvitePage({ token, onAccepted }: { token: string; onAccepted: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    if (password !== String(form.get('repeat') ?? '')) {
      setError(new Error(t('account.mismatch')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await accounts.acceptInvite(token, String(form.get('username') ?? '').trim(), password);
      setCsrfToken(me.csrfToken);
      window.history.replaceState(null, '', '/');
      onAccepted();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <div className="signin-lang">
        <LangSelect />
      </div>
      <form className="card signin-card" onSubmit={submit} data-testid="invite-form">
        <h1>{t('invite.title')}</h1>
        <p className="hint">{t('invite.hint')}</p>
        <label>
          {t('signin.username')}
          <input name="username" autoComplete="username" pattern="[a-z0-9][a-z0-9_.\-]{0,31}" required />
        </label>
        <NewPasswordFields name="password" />
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('invite.submit')}
        </button>
      </form>
    </main>
  );
}
