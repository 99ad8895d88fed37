import { useQuery } from '@tanstack/react-query';
import { Copy } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'wouter';
import type { ImagesJsonType, ImageTagJsonType } from '../../../src/api/images.js';
import { formatByteSize } from '../../../src/domain/byte-size.js';
import { apiFetch } from '../api/http.js';
import { queryKeys } from '../api/query-keys.js';
import { useI18n } from '../app/i18n-context.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useNow } from '../components/use-now.js';
import { formatAgo, formatTime } from '../i18n/format.js';
import type { TFunction } from '../i18n/index.js';
import '../styles/deploy.css';

export interface ImagesPageProps {
  project: string;
  t: TFunction;
  /** Opens the deploy dialog (ProjectPage passes it); without it the deploy buttons are disabled. */
  onDeploy?: (repository: string, version: ImageTagJsonType) => void;
  /** The reader may not deploy (a viewer, a visitor): no deploy column at all. */
  readOnly?: boolean;
}

/**
 * The image registry view (镜像仓库): the project's repositories, each with its current tags —
 * digest (short, copyable), size, when, and the run and commit that built it. Refreshes when a
 * build records an image (the project's `image` events).
 */
export function ImagesPage({ project, t, onDeploy, readOnly = false }: ImagesPageProps) {
  const now = useNow(30_000);
  const { lang } = useI18n();
  // Image events of the project's stream re-read it (server-events.ts).
  const loaded = useQuery({
    queryKey: queryKeys.images(project),
    queryFn: () => apiFetch<ImagesJsonType>(`/api/projects/${encodeURIComponent(project)}/images`),
  });

  const repositories = loaded.data?.repositories ?? [];
  return (
    <section className="images" data-testid="images-page">
      <h2>{t('images.title')}</h2>
      <ErrorNote error={loaded.error} />
      {loaded.data && repositories.length === 0 ? (
        <p className="empty" data-testid="images-empty">
          {t('images.empty')}
        </p>
      ) : null}
      {repositories.map((repo) => (
        <article key={repo.repository} className="image-repository" data-testid="image-repository">
          <h3 className="image-repository-head">
            <code className="image-repository-name">{repo.repository}</code>{' '}
            <span className="badge">{t('images.tags', { n: repo.tags.length })}</span>
          </h3>
          <div className="table-wrap">
            <table className="records-table images-table">
              <thead>
                <tr>
                  <th>{t('images.tag')}</th>
                  <th>{t('images.digest')}</th>
                  <th>{t('images.size')}</th>
                  <th>{t('images.created')}</th>
                  <th>{t('images.run')}</th>
                  <th>{t('images.commit')}</th>
                  {readOnly ? null : <th />}
                </tr>
              </thead>
              <tbody>
                {repo.tags.map((version) => (
                  <tr key={version.tag} data-testid="image-tag">
                    <td data-label={t('images.tag')}>
                      <code className="image-tag">{version.tag}</code>
                    </td>
                    <td data-label={t('images.digest')}>
                      <Digest digest={version.digest} t={t} />
                    </td>
                    <td data-label={t('images.size')}>
                      {version.size === null ? '–' : formatByteSize(version.size)}
                    </td>
                    <td
                      data-label={t('images.created')}
                      className="cell-time"
                      title={formatTime(version.createdAt, lang)}
                    >
                      {formatAgo(version.createdAt, now, lang)}
                    </td>
                    <td data-label={t('images.run')}>
                      <Link
                        href={`/projects/${encodeURIComponent(project)}/runs/${version.run.number}`}
                        data-testid="image-run"
                      >
                        #{version.run.number} {version.run.record}
                      </Link>
                    </td>
                    <td data-label={t('images.commit')}>
                      <span>
                        <code title={version.sha}>{version.sha.slice(0, 7)}</code>{' '}
                        <span className="muted">{version.ref}</span>
                      </span>
                    </td>
                    {readOnly ? null : (
                      <td className="cell-action">
                        {/* A disabled button shows no tooltip in every browser: the wrapper carries it. */}
                        <span title={onDeploy ? undefined : t('images.deploySoon')}>
                          <button
                            type="button"
                            className="button-small"
                            data-testid="deploy-version"
                            disabled={!onDeploy}
                            title={onDeploy ? t('images.deploy') : t('images.deploySoon')}
                            onClick={() => onDeploy?.(repo.repository, version)}
                          >
                            {t('images.deploy')}
                          </button>
                        </span>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
      ))}
    </section>
  );
}

/** `sha256:0123456789ab` with the full digest one click away; "local only" when never pushed. */
function Digest({ digest, t }: { digest: string | null; t: TFunction }) {
  const [copied, setCopied] = useState(false);
  if (!digest) return <span className="muted">{t('images.local')}</span>;
  const [algorithm, hex = ''] = digest.split(':');
  return (
    <span className="image-digest">
      <code title={digest} data-testid="image-digest">
        {algorithm}:{hex.slice(0, 12)}
      </code>{' '}
      <button
        type="button"
        className="button-small copy-button"
        aria-label={t('images.copyDigest')}
        title={t('images.copyDigest')}
        onClick={() =>
          void navigator.clipboard?.writeText(digest).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t('images.copied') : <Copy size={14} aria-hidden="true" />}
      </button>
    </span>
  );
}

export default ImagesPage;
