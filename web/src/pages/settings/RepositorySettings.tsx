/** Where pushes come from: the push commands of a hosted repository, or a remote's webhook. */
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { ProjectJson } from '../../api/types.js';
import { useI18n } from '../../app/i18n-context.js';
import { useProjectCan } from '../../app/project-role.js';
import { CopyField } from '../../components/CopyField.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { pushCommands } from '../../components/push-commands.js';
import { Section } from './SettingsSection.js';
import { useAction } from './settings-actions.js';

export function GitUrlSettings({ project }: { project: ProjectJson }) {
  const { t } = useI18n();
  return (
    <Section title={t('settings.git')} testid="push-instructions">
      <pre className="code">{pushCommands(project)}</pre>
    </Section>
  );
}

export function WebhookSettings({ project }: { project: ProjectJson }) {
  const { t } = useI18n();
  const canDo = useProjectCan();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  return (
    <Section title={t('settings.webhook')} testid="webhook-info">
      <CopyField label={t('settings.webhookUrl')} value={project.webhookUrl ?? ''} />
      {secret ? (
        <>
          <CopyField label={t('settings.webhookSecret')} value={secret} />
          <p className="warning">{t('create.secretOnce')}</p>
        </>
      ) : (
        <p className="hint">{t('settings.secretHidden')}</p>
      )}
      <ErrorNote error={error} />
      {canDo('maintainer') ? (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            window.confirm(t('settings.rotateConfirm')) &&
            void run(async () => setSecret((await api.rotateWebhookSecret(project.name)).webhookSecret))
          }
        >
          {t('settings.rotate')}
        </button>
      ) : null}
    </Section>
  );
}
