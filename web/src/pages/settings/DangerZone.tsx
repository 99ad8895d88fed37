/** Project deletion, behind typing the project's name. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Section } from './SettingsSection.js';
import { useAction } from './settings-actions.js';

export function DangerZone({ project }: { project: string }) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [error, busy, run] = useAction();
  const [, navigate] = useLocation();
  const client = useQueryClient();
  return (
    <Section title={t('settings.danger')} testid="danger-zone">
      <p>{t('settings.deleteHint', { name: project })}</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api.deleteProject(project);
            // Nothing of the project may be shown again from the cache.
            client.removeQueries({ queryKey: queryKeys.projectScope(project) });
            void client.invalidateQueries({ queryKey: queryKeys.projects() });
            navigate('/');
          });
        }}
      >
        <input
          name="confirm"
          aria-label={t('settings.typeName')}
          placeholder={project}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
        />
        <button
          type="submit"
          className="danger"
          data-testid="delete-project"
          disabled={busy || typed !== project}
        >
          {t('settings.delete')}
        </button>
      </form>
      <ErrorNote error={error} />
    </Section>
  );
}
