import { lazy, type ReactNode, Suspense } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { AccountPage, MustChangePasswordPage } from '../pages/account/AccountPage.js';
import { InvitePage } from '../pages/account/InvitePage.js';
import { loadInsightsPage } from '../pages/insights/load-insights-page.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { ProjectPage } from '../pages/ProjectPage.js';
import { ProjectsPage } from '../pages/ProjectsPage.js';
import { SignInPage } from '../pages/SignInPage.js';
import { AuthProvider, useAuth } from './auth.js';
import { I18nProvider, useI18n } from './i18n-context.js';
import { Layout } from './Layout.js';
import { PageErrorBoundary } from './PageErrorBoundary.js';
import { QueryProvider } from './QueryProvider.js';
import { MembersOnly, VisitorProjectGate } from './VisitorGate.js';
import { safeReturnPath } from './visitor-reads.js';

// Pages most visits never open (admin, new project) load when first opened, so the first page
// of a visit downloads and parses only what it shows. The run page carries the log viewer.
const AgentsPage = lazy(() =>
  import('../pages/admin/AgentsPage.js').then((m) => ({ default: m.AgentsPage })),
);
const AuditPage = lazy(() => import('../pages/admin/AuditPage.js').then((m) => ({ default: m.AuditPage })));
const NotificationDefaultsPage = lazy(() =>
  import('../pages/admin/NotificationDefaultsPage.js').then((m) => ({ default: m.NotificationDefaultsPage })),
);
const RegistriesPage = lazy(() =>
  import('../pages/admin/RegistriesPage.js').then((m) => ({ default: m.RegistriesPage })),
);
const UsersPage = lazy(() => import('../pages/admin/UsersPage.js').then((m) => ({ default: m.UsersPage })));
const CreateProjectPage = lazy(() =>
  import('../pages/CreateProjectPage.js').then((m) => ({ default: m.CreateProjectPage })),
);
const RunPage = lazy(() => import('../pages/RunPage.js').then((m) => ({ default: m.RunPage })));
const InsightsPage = lazy(loadInsightsPage);
const ImpactPage = lazy(() => import('../pages/impact/ImpactPage.js'));
const BehaviourPage = lazy(() => import('../pages/impact/BehaviourPage.js'));
const FeedbackPage = lazy(() => import('../pages/impact/FeedbackPage.js'));

/**
 * Client routes (the server answers index.html for every non-API path, so all of these
 * deep-link): /, /projects/new, /projects/:name[/:tab], /projects/:name/runs/:number.
 */
export function App() {
  return (
    <I18nProvider>
      <WholeAppBoundary>
        <AuthProvider>
          <QueryProvider>
            <Gate />
          </QueryProvider>
        </AuthProvider>
      </WholeAppBoundary>
    </I18nProvider>
  );
}

/** The last resort, for a failure outside a page (sign-in, the header): never a blank tab. */
function WholeAppBoundary({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [path] = useLocation();
  return (
    <PageErrorBoundary t={t} resetKey={path}>
      {children}
    </PageErrorBoundary>
  );
}

function Gate() {
  const { user, visitorReads, refresh } = useAuth();
  const { t } = useI18n();
  const [path] = useLocation();
  if (user === undefined) return <p className="loading">{t('common.loading')}</p>;
  const invite = /^\/invite\/([^/]+)$/.exec(window.location.pathname);
  if (user === null && invite)
    return <InvitePage token={invite[1] as string} onAccepted={() => void refresh()} />;
  // Signed out: the sign-in page, unless the server lets visitors read public projects.
  if (user === null && visitorReads === undefined) return <p className="loading">{t('common.loading')}</p>;
  if (user === null && (!visitorReads || path === '/sign-in')) return <SignInPage />;
  if (user?.mustChangePassword) return <MustChangePasswordPage onChanged={() => void refresh()} />;
  // Remounted on sign-in and sign-out, so every page reloads what the new reader may see.
  return (
    <Layout key={user?.username ?? 'visitor'}>
      <PageErrorBoundary t={t} resetKey={path}>
        <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
          <Switch>
            <Route path="/" component={ProjectsPage} />
            <Route path="/sign-in">
              {() => (
                <Redirect to={safeReturnPath(new URLSearchParams(window.location.search).get('next'))} />
              )}
            </Route>
            <Route path="/projects/new">{() => <MembersOnly>{<CreateProjectPage />}</MembersOnly>}</Route>
            <Route path="/account">{() => <MembersOnly>{<AccountPage />}</MembersOnly>}</Route>
            <Route path="/admin/users">{() => <MembersOnly>{<UsersPage />}</MembersOnly>}</Route>
            <Route path="/admin/agents">{() => <MembersOnly>{<AgentsPage />}</MembersOnly>}</Route>
            <Route path="/admin/registries">{() => <MembersOnly>{<RegistriesPage />}</MembersOnly>}</Route>
            <Route path="/admin/audit">{() => <MembersOnly>{<AuditPage />}</MembersOnly>}</Route>
            <Route path="/admin/notifications">
              {() => <MembersOnly>{<NotificationDefaultsPage />}</MembersOnly>}
            </Route>
            <Route path="/insights">{() => <InsightsPage />}</Route>
            <Route path="/projects/:name/runs/:number">
              {(p) => (
                <VisitorProjectGate name={p.name}>
                  <RunPage project={p.name} number={Number(p.number)} />
                </VisitorProjectGate>
              )}
            </Route>
            <Route path="/projects/:name/applications/:app/impact/behaviour">
              {(p) => (
                <VisitorProjectGate name={p.name}>
                  <BehaviourPage project={p.name} app={p.app} />
                </VisitorProjectGate>
              )}
            </Route>
            <Route path="/projects/:name/applications/:app/impact/feedback">
              {(p) => (
                <VisitorProjectGate name={p.name}>
                  <FeedbackPage project={p.name} app={p.app} />
                </VisitorProjectGate>
              )}
            </Route>
            <Route path="/projects/:name/applications/:app/impact">
              {(p) => (
                <VisitorProjectGate name={p.name}>
                  <ImpactPage project={p.name} app={p.app} />
                </VisitorProjectGate>
              )}
            </Route>
            <Route path="/projects/:name/:tab?">
              {(p) => (
                <VisitorProjectGate name={p.name} tab={p.tab}>
                  <ProjectPage name={p.name} tab={p.tab ?? 'records'} />
                </VisitorProjectGate>
              )}
            </Route>
            <Route component={NotFoundPage} />
          </Switch>
        </Suspense>
      </PageErrorBoundary>
    </Layout>
  );
}
