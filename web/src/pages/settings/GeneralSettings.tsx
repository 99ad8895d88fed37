import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { ProjectJson } from '../../api/types.js';
import { useI18n } from '../../app/i18n-context.js';
import { useProjectCan } from '../../app/project-role.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Section } from './SettingsSection.js';
import { useAction } from './settings-actions.js';

/** Default branch, concurrency limit and auto-cancel of superseded runs. */
export function GeneralSettings({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { t } = useI18n();
  const canDo = useProjectCan();
  const [error, busy, run] = useAction();
  const [saved, setSaved] = useState(false);
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setSaved(false);
    void run(async () => {
      await api.updateProject(project.name, {
        defaultBranch: String(form.get('defaultBranch') ?? '').trim(),
        concurrencyLimit: Number(form.get('concurrencyLimit')),
        autoCancelSuperseded: form.get('autoCancelSuperseded') === 'on',
      });
      setSaved(true);
      onChanged();
    });
  }
  const disabled = !canDo('maintainer');
  return (
    <Section title={t('settings.general')}>
      <form className="form" onSubmit={submit}>
        <label>
          {t('create.defaultBranch')}
          <input name="defaultBranch" defaultValue={project.defaultBranch} required disabled={disabled} />
        </label>
        <label>
          {t('settings.concurrency')}
          <input
            name="concurrencyLimit"
            type="number"
            min={1}
            max={64}
            defaultValue={project.concurrencyLimit}
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
            defaultChecked={project.autoCancelSuperseded}
            disabled={disabled}
          />
          {t('settings.autoCancel')}
        </label>
        <p className="hint">{t('settings.autoCancelHint')}</p>
        <ErrorNote error={error} />
        {saved ? <p className="ok">{t('common.saved')}</p> : null}
        {disabled ? null : (
          <button type="submit" className="primary" disabled={busy}>
            {t('common.save')}
          </button>
        )}
      </form>
    </Section>
  );
}
