import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import type { ProjectJson } from '../../api/types.js';
import { useI18n } from '../../app/i18n-context.js';
import { useProjectCan } from '../../app/project-role.js';
import { CopyField } from '../../components/CopyField.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Section } from './SettingsSection.js';
import { useAction } from './settings-actions.js';

/** The server's public origin as the API reports it in the project's git or webhook URL. */
function publicOrigin(project: ProjectJson): string {
  const url = project.gitUrl ?? project.webhookUrl;
  const cut = url ? url.search(/\/(git|api\/hooks)\//) : -1;
  return url && cut > 0 ? url.slice(0, cut) : window.location.origin;
}

/** Opt-in anonymous status badge (off: the badge URL answers 404 to anyone not signed in). */
export function BadgeSettings({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { t } = useI18n();
  const canDo = useProjectCan();
  const [error, busy, run] = useAction();
  // Shown at once when clicked; the project reload (onChanged) confirms it, a failure reverts it.
  const [on, setOn] = useState(project.publicBadge);
  useEffect(() => setOn(project.publicBadge), [project.publicBadge]);
  const origin = publicOrigin(project);
  const markdown = `[![${project.name}](${origin}/badge/${project.name}.svg)](${origin}/projects/${project.name})`;
  return (
    <Section title={t('settings.publicBadge')} testid="badge-settings">
      <label className="inline">
        <input
          type="checkbox"
          data-testid="public-badge"
          checked={on}
          disabled={busy || !canDo('maintainer')}
          onChange={(e) => {
            const publicBadge = e.currentTarget.checked;
            setOn(publicBadge);
            void run(async () => {
              try {
                await api.updateProject(project.name, { publicBadge });
              } catch (err) {
                setOn(!publicBadge);
                throw err;
              }
              onChanged();
            });
          }}
        />
        {t('settings.publicBadge')}
      </label>
      <p className="hint">{t('settings.publicBadgeHint')}</p>
      {/* Offered once the server has it on (not while the change is on its way). */}
      {on && project.publicBadge ? <CopyField label={t('settings.badgeMarkdown')} value={markdown} /> : null}
      <ErrorNote error={error} />
    </Section>
  );
}
