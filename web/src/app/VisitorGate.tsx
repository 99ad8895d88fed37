/**
 * What a visitor who is not signed in may open while public projects are on (issue #14): the
 * server decides what they read; these gates turn its "no" into the sign-in form on the page
 * asked for — never a blank page or a raw error — so signing in shows that page.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../api/client.js';
import { ApiError } from '../api/http.js';
import { queryKeys } from '../api/query-keys.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { SignInForm } from '../pages/SignInPage.js';
import { useAuth } from './auth.js';
import { useI18n } from './i18n-context.js';
import '../styles/visitor.css';

/** The sign-in form in place of a page that needs an account; the URL stays, so it returns here. */
export function SignInInstead() {
  const { t } = useI18n();
  return (
    <section className="page signin-instead" data-testid="signin-instead">
      <p className="muted">{t('visitor.signInToSee')}</p>
      <SignInForm />
    </section>
  );
}

/** Signed-in pages only (account, admin, new project): a visitor gets the sign-in form. */
export function MembersOnly({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  return user ? children : <SignInInstead />;
}

/**
 * A project page for a visitor: the project must be one they may read (a public one) — a private
 * or internal project answers 404 to them, exactly like a missing one, and both show the sign-in
 * form; the settings tab needs an account in any project. Signed-in users pass straight through
 * (their 404 is the not-found page, as before).
 */
export function VisitorProjectGate({
  name,
  tab,
  children,
}: {
  name: string;
  tab?: string;
  children: ReactNode;
}) {
  const { user } = useAuth();
  if (user) return children;
  if (tab === 'settings') return <SignInInstead />;
  return <ReadableProject name={name}>{children}</ReadableProject>;
}

function ReadableProject({ name, children }: { name: string; children: ReactNode }) {
  const { t } = useI18n();
  // The project page's own query: once it answers, the page opens on the cached project.
  const { data, error } = useQuery({ queryKey: queryKeys.project(name), queryFn: () => api.project(name) });
  if (error instanceof ApiError && (error.status === 404 || error.status === 401)) return <SignInInstead />;
  if (error) return <ErrorNote error={error} />;
  if (!data) return <p className="loading">{t('common.loading')}</p>;
  return children;
}
