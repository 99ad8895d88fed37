import { Sailboat } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { LangSelect } from '../app/Layout.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { SignInProviders } from './SignInProviders.js';

/** Sign in with a username and password (on first start the admin password is in the server log). */
export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
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
      <form className="card signin-card" onSubmit={submit}>
        <h1>
          <Sailboat size={26} aria-hidden="true" /> Slipway
        </h1>
        <SignInProviders />
        <label>
          {t('signin.username')}
          <input name="username" autoComplete="username" required />
        </label>
        <label>
          {t('signin.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('signin.submit')}
        </button>
        <p className="hint">{t('signin.hint')}</p>
      </form>
    </main>
  );
}
