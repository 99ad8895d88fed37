import { lazy, Suspense } from 'react';
import { Route, Switch } from 'wouter';
import { CreateProjectPage } from '../pages/CreateProjectPage.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { ProjectPage } from '../pages/ProjectPage.js';
import { ProjectsPage } from '../pages/ProjectsPage.js';
import { SignInPage } from '../pages/SignInPage.js';
import { AuthProvider, useAuth } from './auth.js';
import { I18nProvider, useI18n } from './i18n-context.js';
import { Layout } from './Layout.js';

// The run page carries the log viewer: loaded when first opened.
const RunPage = lazy(() => import('../pages/RunPage.js').then((m) => ({ default: m.RunPage })));
const InsightsPage = lazy(() => import('../pages/insights/InsightsPage.js'));

/**
 * Client routes (the server answers index.html for every non-API path, so all of these
 * deep-link): /, /projects/new, /projects/:name[/:tab], /projects/:name/runs/:number.
 */
export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <Gate />
      </AuthProvider>
    </I18nProvider>
  );
}

function Gate() {
  const { user } = useAuth();
  const { t } = useI18n();
  if (user === undefined) return <p className="loading">{t('common.loading')}</p>;
  if (user === null) return <SignInPage />;
  return (
    <Layout>
      <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
        <Switch>
          <Route path="/" component={ProjectsPage} />
          <Route path="/projects/new" component={CreateProjectPage} />
          <Route path="/insights">{() => <InsightsPage />}</Route>
          <Route path="/projects/:name/runs/:number">
            {(p) => <RunPage project={p.name} number={Number(p.number)} />}
          </Route>
          <Route path="/projects/:name/:tab?">
            {(p) => <ProjectPage name={p.name} tab={p.tab ?? 'records'} />}
          </Route>
          <Route component={NotFoundPage} />
        </Switch>
      </Suspense>
    </Layout>
  );
}
