/** Project deletion, behind typing the project's name. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { keepControlledFields, useFormAction } from '../../components/form-action.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { Section } from './SettingsSection.js';

export function DangerZone({ project }: { project: string }) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const [state, remove] = useFormAction(async () => {
    await api.deleteProject(project);
    // Nothing of the project may be shown again from the cache.
    client.removeQueries({ queryKey: queryKeys.projectScope(project) });
    void client.invalidateQueries({ queryKey: queryKeys.projects() });
    navigate('/');
  });
  return (
    <Section title={t('settings.danger')} testid="danger-zone">
      <p>{t('settings.deleteHint', { name: project })}</p>
      <form className="inline-form" action={remove} onReset={keepControlledFields}>
        <input
          name="confirm"
          aria-label={t('settings.typeName')}
          placeholder={project}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
        />
        <SubmitButton className="danger" testId="delete-project" disabled={typed !== project}>
          {t('settings.delete')}
        </SubmitButton>
      </form>
      <ErrorNote error={state.error} />
    </Section>
  );
}
