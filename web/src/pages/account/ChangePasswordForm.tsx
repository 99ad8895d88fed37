import { accounts } from '../../api/accounts.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useFormAction } from '../../components/form-action.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { NewPasswordFields } from './NewPasswordFields.js';

/**
 * Current password + the new one twice; `onChanged` runs after the server accepted it. The form
 * empties after every answer (React resets it after its action): passwords are never written back
 * into the page as default values.
 */
export function ChangePasswordForm({ onChanged }: { onChanged: () => void }) {
  const { t } = useI18n();
  const [state, action] = useFormAction(async (form) => {
    const next = String(form.get('newPassword') ?? '');
    if (next !== String(form.get('repeat') ?? '')) throw new Error(t('account.mismatch'));
    await accounts.changePassword(String(form.get('currentPassword') ?? ''), next);
    onChanged();
  });

  return (
    <form className="stack-form" action={action} data-testid="change-password">
      <label>
        {t('account.current')}
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <NewPasswordFields name="newPassword" />
      <ErrorNote error={state.error} />
      <SubmitButton className="primary">{t('account.save')}</SubmitButton>
    </form>
  );
}
