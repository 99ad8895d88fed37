import { Sailboat } from 'lucide-react';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { LangSelect } from '../app/Layout.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useFormAction } from '../components/form-action.js';
import { SubmitButton } from '../components/SubmitButton.js';
import { SignInProviders } from './SignInProviders.js';

/** Sign in with a username and password (on first start the admin password is in the server log). */
export function SignInPage() {
  return (
    <main className="signin">
      <div className="signin-lang">
        <LangSelect />
      </div>
      <SignInForm />
    </main>
  );
}

/**
 * The sign-in card. It never navigates: the page it is shown on (a page that needs an account,
 * or /sign-in?next=…) is what the signed-in user sees next, so signing in returns them there.
 */
export function SignInForm() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const [state, action] = useFormAction((form) =>
    signIn(String(form.get('username') ?? ''), String(form.get('password') ?? '')),
  );
  return (
    <form className="card signin-card" action={action} data-testid="signin-form">
      <h1>
        <Sailboat size={26} aria-hidden="true" /> Slipway
      </h1>
      <SignInProviders />
      <label>
        {t('signin.username')}
        <input name="username" autoComplete="username" required defaultValue={state.values.username ?? ''} />
      </label>
      <label>
        {t('signin.password')}
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <ErrorNote error={state.error} />
      <SubmitButton className="primary">{t('signin.submit')}</SubmitButton>
      <p className="hint">{t('signin.hint')}</p>
    </form>
  );
}
