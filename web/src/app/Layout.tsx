import { Sailboat } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { LANGS, type Lang } from '../i18n/index.js';
import { useAuth } from './auth.js';
import { useI18n } from './i18n-context.js';
import { signInHref } from './visitor-reads.js';

/**
 * Header (home, language, who is signed in, sign out) around every page; a visitor reading public
 * projects without an account gets "Sign in" instead, which comes back to the page they were on.
 */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { user, signOut, can } = useAuth();
  const [path] = useLocation();
  const search = useSearch();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          <Sailboat size={20} aria-hidden="true" /> Slipway
        </Link>
        <nav className="topnav" aria-label={t('nav.main')}>
          <Link href="/">{t('nav.projects')}</Link>
          <Link href="/insights">{t('nav.insights')}</Link>
          {can('admin') ? (
            <>
              <Link href="/admin/agents">{t('nav.agents')}</Link>
              <Link href="/admin/users">{t('nav.users')}</Link>
              <Link href="/admin/registries">{t('nav.registries')}</Link>
              <Link href="/admin/notifications">{t('nav.notifications')}</Link>
              <Link href="/admin/audit">{t('nav.audit')}</Link>
            </>
          ) : null}
        </nav>
        <div className="topbar-end">
          <LangSelect />
          {user ? (
            <Link href="/account" className="who" title={`${t('nav.account')} (${user.role})`}>
              {user.username}
            </Link>
          ) : null}
          {user ? (
            <button type="button" className="link-button" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          ) : (
            <Link
              href={signInHref(search ? `${path}?${search}` : path)}
              className="button primary"
              data-testid="visitor-sign-in"
            >
              {t('visitor.signIn')}
            </Link>
          )}
        </div>
      </header>
      <main id="main" className="main">
        {children}
      </main>
    </>
  );
}

export function LangSelect() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang">
      <span className="sr-only">{t('nav.language')}</span>
      <select data-testid="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {l === 'en' ? 'English' : '简体中文'}
          </option>
        ))}
      </select>
    </label>
  );
}
