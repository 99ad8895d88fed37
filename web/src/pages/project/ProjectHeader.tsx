import { Box, GitBranch, GitFork, TestTubeDiagonal } from 'lucide-react';
import { Link } from 'wouter';
import type { ProjectOverview } from '../../api/project-overview.js';
import type { ProjectJson } from '../../api/types.js';
import { RunManually } from '../../components/RunManually.js';
import type { Lang, TFunction } from '../../i18n/index.js';
import { formatDateTime } from '../../i18n/intl-time.js';
import { TestCounts } from './TestCounts.js';

/**
 * The top of a project page as the seed shows it: name, image (镜像), code source (代码源), the
 * latest default-branch tests and coverage, and the branch/tag picker with "Run manually".
 */
export function ProjectHeader({
  name,
  project,
  overview,
  canRun,
  t,
  lang,
}: {
  name: string;
  project: ProjectJson | undefined;
  overview: ProjectOverview | undefined;
  canRun: boolean;
  t: TFunction;
  lang: Lang;
}) {
  const source = project
    ? project.source.kind === 'remote'
      ? (project.source.url ?? '')
      : (project.gitUrl ?? t('project.sourceBuiltin'))
    : '';
  const image = overview?.image;
  const tests = overview?.tests;
  return (
    <header className="project-header" data-testid="project-header">
      <div className="project-title">
        <h1>
          <Link href="/" className="crumb">
            {t('nav.projects')}
          </Link>
          <span aria-hidden="true"> / </span>
          <span data-testid="project-name">{name}</span>
        </h1>
        {canRun ? <RunManually project={name} defaultBranch={project?.defaultBranch} t={t} /> : null}
      </div>
      <dl className="project-facts">
        <div>
          <dt>
            <Box size={14} aria-hidden="true" /> {t('project.image')}
          </dt>
          <dd data-testid="project-image">
            {image ? (
              <code title={image.digest ?? undefined}>
                {image.repository}:{image.tag}
              </code>
            ) : (
              <span className="muted">{t('project.noImage')}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>
            <GitFork size={14} aria-hidden="true" /> {t('project.source')}
          </dt>
          <dd data-testid="project-source">
            <code>{source}</code>
          </dd>
        </div>
        <div>
          <dt>
            <GitBranch size={14} aria-hidden="true" /> {t('create.defaultBranch')}
          </dt>
          <dd>
            <code>{project?.defaultBranch ?? ''}</code>
          </dd>
        </div>
        <div>
          <dt>
            <TestTubeDiagonal size={14} aria-hidden="true" />{' '}
            {t('project.tests', { branch: overview?.defaultBranch ?? project?.defaultBranch ?? '' })}
          </dt>
          <dd data-testid="project-tests">
            {tests ? (
              <>
                <TestCounts tests={tests} t={t} />{' '}
                <Link
                  href={`/projects/${encodeURIComponent(name)}/runs/${tests.runNumber}`}
                  className="muted"
                  title={formatDateTime(tests.createdAt, lang)}
                >
                  {t('project.testsOfRun', { n: tests.runNumber })}
                </Link>
              </>
            ) : (
              <span className="muted">{t('project.noTests')}</span>
            )}
          </dd>
        </div>
      </dl>
    </header>
  );
}
