import { Link } from 'wouter';
import { useI18n } from '../app/i18n-context.js';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <section className="page">
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link href="/">{t('notFound.back')}</Link>
      </p>
    </section>
  );
}
