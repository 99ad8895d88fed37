import { useI18n } from '../../app/i18n-context.js';

/** A new password twice (the form compares them); `name` is the first field's form name. */
export function NewPasswordFields({ name }: { name: string }) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t('account.new')}
        <input name={name} type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <label>
        {t('account.repeat')}
        <input name="repeat" type="password" autoComplete="new-password" minLength={12} required />
      </label>
    </>
  );
}
