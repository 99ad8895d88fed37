import type { ProjectJson } from '../api/types.js';
import { useAuth } from '../app/auth.js';
import { useProjectCan } from '../app/project-role.js';
import { MembersSettings } from './access/MembersSettings.js';
import { BadgeSettings } from './settings/BadgeSettings.js';
import { CacheSettings } from './settings/CacheSettings.js';
import { CommitStatusSettings } from './settings/CommitStatusSettings.js';
import { DangerZone } from './settings/DangerZone.js';
import { GeneralSettings } from './settings/GeneralSettings.js';
import { NotificationSettings } from './settings/NotificationSettings.js';
import { RegistrySettings } from './settings/RegistrySettings.js';
import { GitUrlSettings, WebhookSettings } from './settings/RepositorySettings.js';
import { ScheduleSettings } from './settings/ScheduleSettings.js';
import { SecretSettings } from './settings/SecretSettings.js';
import { TokenSettings } from './settings/TokenSettings.js';

/**
 * What the API lets a project change: default branch and concurrency, the public status badge,
 * webhook (rotate the secret), secrets (write-only), cron schedules, your API tokens, and
 * deletion with a typed confirmation. Buttons a role may not use are hidden; the server checks anyway.
 */
export function SettingsTab({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { can } = useAuth();
  const canDo = useProjectCan();
  return (
    <div className="settings">
      <GeneralSettings project={project} onChanged={onChanged} />
      <MembersSettings project={project.name} onChanged={onChanged} />
      <BadgeSettings project={project} onChanged={onChanged} />
      {project.source.kind === 'remote' ? (
        <WebhookSettings project={project} />
      ) : (
        <GitUrlSettings project={project} />
      )}
      <SecretSettings project={project.name} canEdit={canDo('maintainer')} />
      <RegistrySettings project={project.name} canEdit={canDo('maintainer')} />
      <ScheduleSettings
        project={project.name}
        canEdit={canDo('maintainer')}
        defaultBranch={project.defaultBranch}
      />
      <NotificationSettings
        base={`/api/projects/${encodeURIComponent(project.name)}/notifications`}
        canEdit={canDo('maintainer')}
      />
      {project.source.kind === 'remote' ? (
        <CommitStatusSettings project={project.name} canEdit={canDo('maintainer')} />
      ) : null}
      <CacheSettings project={project.name} canEdit={canDo('maintainer')} />
      <TokenSettings />
      {can('admin') ? <DangerZone project={project.name} /> : null}
    </div>
  );
}
