import { type FormEvent, useState } from 'react';
import { accounts } from '../../api/accounts.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { NewPasswordFields } from './NewPasswordFields.js';

/** Current password + the new one twice; `onChanged` runs after the server accepted it. */
export function ChangePasswordForm({ onChanged }: { onChanged: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const next = String(form.get('newPassword') ?? '');
    if (next !== String(form.get('repeat') ?? '')) {
      setError(new Error(t('account.mismatch')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await accounts.changePassword(String(form.get('currentPassword') ?? ''), next);
      formEl.reset();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack-form" onSubmit={submit} data-testid="change-password">
      <label>
        {t('account.current')}
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <NewPasswordFields name="newPassword" />
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('account.save')}
      </button>
    </form>
  );
}
