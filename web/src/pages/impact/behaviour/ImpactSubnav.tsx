import { Link } from 'wouter';
import type { TFunction } from '../../../i18n/index.js';
import { impactPath } from './behaviour-api.js';

/** Back to the impact view, and between behaviour and feedback (the integrator unifies the tabs). */
export function ImpactSubnav({
  project,
  app,
  active,
  t,
}: {
  project: string;
  app: string;
  active: 'behaviour' | 'feedback';
  t: TFunction;
}) {
  const base = impactPath(project, app);
  return (
    <nav className="impact-subnav">
      <Link href={base}>{t('behaviour.back')}</Link>
      <Link href={`${base}/behaviour`} aria-current={active === 'behaviour' ? 'page' : undefined}>
        {t('behaviour.tabBehaviour')}
      </Link>
      <Link href={`${base}/feedback`} aria-current={active === 'feedback' ? 'page' : undefined}>
        {t('behaviour.tabFeedback')}
      </Link>
    </nav>
  );
}
