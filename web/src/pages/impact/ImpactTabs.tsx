import { Link } from 'wouter';
import type { TFunction } from '../../i18n/index.js';
import { impactPath } from './behaviour/behaviour-api.js';
import './impact.css';

export type ImpactTab = 'timeline' | 'behaviour' | 'feedback';

const TABS: readonly { tab: ImpactTab; path: string }[] = [
  { tab: 'timeline', path: '' },
  { tab: 'behaviour', path: '/behaviour' },
  { tab: 'feedback', path: '/feedback' },
];

/**
 * The one tab bar of an application's impact area — releases & traffic, behaviour, feedback —
 * rendered by each of the three pages with its own tab marked (aria-current="page").
 */
export function ImpactTabs({
  project,
  app,
  active,
  t,
}: {
  project: string;
  app: string;
  active: ImpactTab;
  t: TFunction;
}) {
  const base = impactPath(project, app);
  return (
    <nav className="tabs impact-tabs" aria-label={t('impact.link')} data-testid="impact-tabs">
      {TABS.map(({ tab, path }) => (
        <Link
          key={tab}
          href={`${base}${path}`}
          className={tab === active ? 'tab active' : 'tab'}
          aria-current={tab === active ? 'page' : undefined}
          data-testid={`impact-tab-${tab}`}
        >
          {t(`impact.tab.${tab}`)}
        </Link>
      ))}
    </nav>
  );
}
