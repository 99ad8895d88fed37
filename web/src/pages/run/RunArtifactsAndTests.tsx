import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatByteSize } from '../../../../src/domain/byte-size.js';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { formatDuration } from '../../i18n/format.js';
import type { TFunction } from '../../i18n/index.js';
import { formatDate } from '../../i18n/intl-time.js';
import '../../styles/artifacts.css';

interface ArtifactJson {
  job: string;
  name: string;
  size: number;
  files: number;
  expiresAt: number | null;
  entries: { path: string; size: number }[];
}

interface TestCaseJson {
  job: string;
  suite: string;
  classname: string;
  name: string;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  durationMs: number;
  message: string | null;
  output: string | null;
  flaky: boolean;
  flakyWhy: 'same_commit' | 'flips' | null;
  history: { runNumber: number; status: string }[];
}

interface TestsJson {
  summary: {
    total: number;
    passed: number;
    failed: number;
    errored: number;
    skipped: number;
    coverage: number | null;
  } | null;
  cases: TestCaseJson[];
}

/** The run page's Artifacts and Tests / 测试 tabs, under the jobs and their log. */
export function RunArtifactsAndTests({ project, number }: { project: string; number: number }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<'tests' | 'artifacts'>('tests');
  const base = `/api/projects/${encodeURIComponent(project)}/runs/${number}`;
  // Re-read when a job or the run ends (server-events.ts): reports and uploads arrive as jobs end.
  const tests = useQuery({
    queryKey: queryKeys.runTests(project, number),
    queryFn: () => apiFetch<TestsJson>(`${base}/tests`),
  });
  const artifacts = useQuery({
    queryKey: queryKeys.runArtifacts(project, number),
    queryFn: () => apiFetch<{ artifacts: ArtifactJson[] }>(`${base}/artifacts`),
  });
  const failed = (tests.data?.summary?.failed ?? 0) + (tests.data?.summary?.errored ?? 0);
  return (
    <section className="run-extras">
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'tests'}
          onClick={() => setTab('tests')}
          data-testid="tests-tab"
        >
          {t('artifacts.tests')}
          {tests.data?.summary ? (
            <span className={failed > 0 ? 'count bad' : 'count'}>
              {failed > 0 ? failed : tests.data.summary.total}
            </span>
          ) : null}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'artifacts'}
          onClick={() => setTab('artifacts')}
          data-testid="artifacts-tab"
        >
          {t('artifacts.tab')}
          {artifacts.data?.artifacts.length ? (
            <span className="count">{artifacts.data.artifacts.length}</span>
          ) : null}
        </button>
      </div>
      {tab === 'tests' ? (
        <>
          <ErrorNote error={tests.error} />
          {tests.data ? <TestsList data={tests.data} t={t} /> : null}
        </>
      ) : (
        <>
          <ErrorNote error={artifacts.error} />
          {artifacts.data ? <ArtifactsList base={base} artifacts={artifacts.data.artifacts} t={t} /> : null}
        </>
      )}
    </section>
  );
}

function TestsList({ data, t }: { data: TestsJson; t: TFunction }) {
  const s = data.summary;
  if (!s) return <p className="empty">{t('tests.none')}</p>;
  return (
    <div data-testid="tests">
      <p className="tests-summary">
        {t('tests.summary', {
          total: s.total,
          passed: s.passed,
          failed: s.failed + s.errored,
          skipped: s.skipped,
        })}
        {s.coverage !== null ? (
          <span className="coverage"> · {t('tests.coverage', { value: s.coverage })}</span>
        ) : null}
      </p>
      <ul className="test-cases">
        {data.cases.map((c) => (
          <li
            key={`${c.job}\u0000${c.classname}\u0000${c.name}`}
            className={`test-case ${c.status}`}
            data-status={c.status}
          >
            <details open={c.status === 'failed' || c.status === 'error'}>
              <summary>
                <span className={`test-status ${c.status}`}>{t(`tests.status.${c.status}`)}</span>{' '}
                <span className="test-name">{c.name}</span>{' '}
                <span className="muted">
                  {c.classname} · {c.suite} · {c.job}
                </span>{' '}
                <span className="muted">{formatDuration(c.durationMs, t)}</span>
                {c.flaky ? (
                  <span
                    className="flaky"
                    title={t(c.flakyWhy === 'same_commit' ? 'tests.flakySameCommit' : 'tests.flakyFlips')}
                  >
                    {' '}
                    {t('tests.flaky')}
                  </span>
                ) : null}
              </summary>
              {c.message ? <p className="test-message">{c.message}</p> : null}
              {c.output ? <pre className="test-output">{c.output}</pre> : null}
              {c.flaky ? (
                <p className="test-history">
                  {t('tests.history')}:{' '}
                  {c.history.map((h) => (
                    <span
                      key={h.runNumber}
                      className={`history-dot ${h.status}`}
                      title={`#${h.runNumber} ${h.status}`}
                    >
                      #{h.runNumber}
                    </span>
                  ))}
                </p>
              ) : null}
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ArtifactsList({ base, artifacts, t }: { base: string; artifacts: ArtifactJson[]; t: TFunction }) {
  const { lang } = useI18n();
  if (artifacts.length === 0) return <p className="empty">{t('artifacts.none')}</p>;
  return (
    <ul className="artifacts" data-testid="artifacts">
      {artifacts.map((a) => (
        <li key={a.job}>
          <div className="artifact-head">
            <strong>{a.name}</strong> <span className="muted">({a.job})</span>{' '}
            <span className="muted">
              {t('artifacts.files', { n: a.files, size: formatByteSize(a.size) })}
            </span>{' '}
            <span className="muted">
              {a.expiresAt === null
                ? t('artifacts.kept')
                : t('artifacts.expires', { date: formatDate(a.expiresAt, lang) })}
            </span>{' '}
            <a href={`${base}/artifacts/${encodeURIComponent(a.job)}/archive`} download>
              {t('artifacts.download')}
            </a>
          </div>
          <ul className="artifact-files">
            {a.entries.map((e) => (
              <li key={e.path}>
                <a
                  href={`${base}/artifacts/${encodeURIComponent(a.job)}/file?path=${encodeURIComponent(e.path)}`}
                  download
                >
                  {e.path}
                </a>{' '}
                <span className="muted">{formatByteSize(e.size)}</span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
