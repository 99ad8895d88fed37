import { accounts } from '../../api/accounts.js';
import { setCsrfToken } from '../../api/http.js';
import { useI18n } from '../../app/i18n-context.js';
import { LangSelect } from '../../app/Layout.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useFormAction } from '../../components/form-action.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { NewPasswordFields } from './NewPasswordFields.js';

/** /invite/:token — a one-time link turned into an account; signed in right after. */
export function InvitePage({ token, onAccepted }: { token: string; onAccepted: () => void }) {
  const { t } = useI18n();
  // A refusal (name taken, link used) keeps the username; the passwords are typed again.
  const [state, action] = useFormAction(async (form) => {
    const password = String(form.get('password') ?? '');
    if (password !== String(form.get('repeat') ?? '')) throw new Error(t('account.mismatch'));
    const me = await accounts.acceptInvite(token, String(form.get('username') ?? '').trim(), password);
    setCsrfToken(me.csrfToken);
    window.history.replaceState(null, '', '/');
    onAccepted();
  });

  return (
    <main className="signin">
      <div className="signin-lang">
        <LangSelect />
      </div>
      <form className="card signin-card" action={action} data-testid="invite-form">
        <h1>{t('invite.title')}</h1>
        <p className="hint">{t('invite.hint')}</p>
        <label>
          {t('signin.username')}
          <input
            name="username"
            autoComplete="username"
            pattern="[a-z0-9][a-z0-9_.\-]{0,31}"
            required
            defaultValue={state.values.username ?? ''}
          />
        </label>
        <NewPasswordFields name="password" />
        <ErrorNote error={state.error} />
        <SubmitButton className="primary">{t('invite.submit')}</SubmitButton>
      </form>
    </main>
  );
}
