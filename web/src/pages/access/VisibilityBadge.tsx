/** The visibility of a project as a small label in the project list (internal shows none). */
import { useI18n } from '../../app/i18n-context.js';

export function VisibilityBadge({ visibility }: { visibility: 'private' | 'internal' | 'public' }) {
  const { t } = useI18n();
  if (visibility === 'internal') return null;
  return (
    <span className={`visibility-badge visibility-${visibility}`} data-testid="visibility-badge">
      {t(`access.visibility.${visibility}`)}
    </span>
  );
}
