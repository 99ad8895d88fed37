import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { NotificationSettings } from '../settings/NotificationSettings.js';

/** Admin area: the global notification channels every project gets (`/admin/notifications`). */
export function NotificationDefaultsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  if (!can('admin')) return <p className="muted">403</p>;
  return (
    <div className="settings">
      <NotificationSettings base="/api/notifications" canEdit title={t('notify.globalTitle')} />
    </div>
  );
}
