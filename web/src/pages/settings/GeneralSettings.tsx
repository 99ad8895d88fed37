import { api } from '../../api/client.js';
import type { ProjectJson } from '../../api/types.js';
import { useI18n } from '../../app/i18n-context.js';
import { useProjectCan } from '../../app/project-role.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useFormAction } from '../../components/form-action.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { Section } from './SettingsSection.js';

/** Default branch, concurrency limit and auto-cancel of superseded runs. */
export function GeneralSettings({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { t } = useI18n();
  const canDo = useProjectCan();
  // The saved (or refused) values stay in the fields: they are what the project now has.
  const [state, submit] = useFormAction(
    async (form) => {
      await api.updateProject(project.name, {
        defaultBranch: String(form.get('defaultBranch') ?? '').trim(),
        concurrencyLimit: Number(form.get('concurrencyLimit')),
        autoCancelSuperseded: form.get('autoCancelSuperseded') === 'on',
      });
      onChanged();
    },
    { keepValues: true },
  );
  const sent = state.error !== null || state.done > 0;
  const typed = state.values;
  const disabled = !canDo('maintainer');
  return (
    <Section title={t('settings.general')}>
      <form className="form" action={submit}>
        <label>
          {t('create.defaultBranch')}
          <input
            name="defaultBranch"
            defaultValue={typed.defaultBranch ?? project.defaultBranch}
            required
            disabled={disabled}
          />
        </label>
        <label>
          {t('settings.concurrency')}
          <input
            name="concurrencyLimit"
            type="number"
            min={1}
            max={64}
            defaultValue={typed.concurrencyLimit ?? project.concurrencyLimit}
            required
            disabled={disabled}
          />
          <span className="hint">{t('settings.concurrencyHint')}</span>
        </label>
        <label className="inline">
          <input
            name="autoCancelSuperseded"
            type="checkbox"
            data-testid="auto-cancel-superseded"
            defaultChecked={sent ? typed.autoCancelSuperseded === 'on' : project.autoCancelSuperseded}
            disabled={disabled}
          />
          {t('settings.autoCancel')}
        </label>
        <p className="hint">{t('settings.autoCancelHint')}</p>
        <ErrorNote error={state.error} />
        {state.done > 0 && !state.error ? <p className="ok">{t('common.saved')}</p> : null}
        {disabled ? null : <SubmitButton className="primary">{t('common.save')}</SubmitButton>}
      </form>
    </Section>
  );
}
