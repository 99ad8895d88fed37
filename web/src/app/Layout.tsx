import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { LANGS, type Lang } from '../i18n/index.js';
import { useAuth } from './auth.js';
import { useI18n } from './i18n-context.js';
import '../pages/insights/insights-nav-messages.js';

/** Header (home, language, who is signed in, sign out) around every signed-in page. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { user, signOut } = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          ⛵ Slipway
        </Link>
        <nav className="topnav" aria-label={t('nav.main')}>
          <Link href="/">{t('nav.projects')}</Link>
          <Link href="/insights">{t('nav.insights')}</Link>
        </nav>
        <div className="topbar-end">
          <LangSelect />
          {user ? (
            <span className="who" title={user.role}>
              {user.username}
            </span>
          ) : null}
          <button type="button" className="link-button" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
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
