import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { RegistrySettings } from '../settings/RegistrySettings.js';

/** /admin/registries — the instance's registry credentials (admins). */
export function RegistriesPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  if (!can('admin')) return <p className="error">403</p>;
  return (
    <div className="page registries-page">
      <h1>{t('registries.title')}</h1>
      <RegistrySettings project={null} canEdit />
    </div>
  );
}
