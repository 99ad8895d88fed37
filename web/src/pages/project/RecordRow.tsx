import { GitBranch, GitCommitHorizontal, Tag } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { RunSummary } from '../../api/types.js';
import { Avatar } from '../../components/Avatar.js';
import { refLabel } from '../../components/ref-label.js';
import { type IconStatus, StatusIcon, statusLabel } from '../../components/StatusIcon.js';
import { formatDuration } from '../../i18n/format.js';
import { type Lang, type TFunction, tCode } from '../../i18n/index.js';
import { formatClock, formatDateTime, relativeTime } from '../../i18n/intl-time.js';
import { runTitle } from '../run-title.js';
import { TestCounts } from './TestCounts.js';

/**
 * One execution record on one line (where the width allows): status and record name, who
 * triggered it and how, ref and commit, one icon per stage, tests and coverage, then the
 * duration — ticking while it runs — beside the commit's age.
 */
export function RecordRow({
  run,
  project,
  now,
  t,
  lang,
}: {
  run: RunSummary;
  project: string;
  now: number;
  t: TFunction;
  lang: Lang;
}) {
  const icon: IconStatus = run.status === 'queued' && run.waiting ? 'waiting' : run.status;
  const href = `/projects/${encodeURIComponent(project)}/runs/${run.number}`;
  const how = tCode(t, 'trigger', run.trigger, run.trigger);
  const RefIcon = run.ref.kind === 'tag' ? Tag : GitBranch;
  return (
    <tr data-testid="record-row" data-number={run.number} data-status={run.status}>
      <td className="cell-record">
        <div className="record-line">
          <Link href={href} className="record-name" title={statusLabel(icon, t)}>
            <StatusIcon status={icon} t={t} />
            <span className="record-text">{run.record}</span>
          </Link>
          <span className="record-meta muted">
            #{run.number}
            {run.attempt > 1 ? (
              <span data-testid="run-attempt" title={t('run.attemptHint')}>
                {' · '}
                {t('run.attempt', { n: run.attempt })}
              </span>
            ) : null}
            {run.cancelReason?.code === 'superseded' ? (
              <span data-testid="run-superseded">
                {' · '}
                {t('run.supersededBy', { n: run.cancelReason.by })}
              </span>
            ) : null}
            {run.waiting && run.status === 'queued' ? (
              <span data-testid="run-waiting" title={t('run.waitingHint')}>
                {' · '}
                {t(`run.waiting.${run.waiting.code}`, { labels: run.waiting.labels.join(', ') })}
              </span>
            ) : null}
          </span>
          {run.message ? (
            <span className="record-message" title={run.release ? runTitle(run, t) : run.message}>
              {firstLine(runTitle(run, t))}
            </span>
          ) : null}
        </div>
      </td>
      <td
        className="cell-who"
        data-label={t('records.trigger')}
        title={t('records.by', { who: run.actor, how })}
      >
        <Avatar name={run.actor} />
        <span data-testid="record-actor">{run.actor}</span>
        <span className="trigger-chip" data-testid="record-trigger">
          {how}
        </span>
      </td>
      <td className="cell-ref" data-label={t('records.ref')}>
        <RefIcon size={13} aria-hidden="true" className="muted" />
        <span className="ref-name">{refLabel(run.ref, t)}</span>
        <GitCommitHorizontal size={13} aria-hidden="true" className="muted" />
        <code className="muted">{run.shortSha}</code>
      </td>
      <td className="cell-stages" data-label={t('records.stages')}>
        <ol className="stage-icons">
          {run.stages.map((s) => (
            <li
              key={s.name}
              title={`${s.name}: ${statusLabel(s.status, t)}`}
              data-stage={s.name}
              data-status={s.status}
            >
              <StatusIcon status={s.status} t={t} size={15} />
              <span className="sr-only">{s.name}</span>
            </li>
          ))}
        </ol>
      </td>
      <td className="cell-tests" data-label={t('records.tests')}>
        {run.tests ? (
          <TestCounts tests={run.tests} t={t} />
        ) : (
          <span className="muted" data-testid="no-tests">
            {t('records.noTests')}
          </span>
        )}
      </td>
      <td className="cell-time" data-label={t('records.time')}>
        <Duration run={run} t={t} />
        <span className="time-sep" aria-hidden="true">
          {' · '}
        </span>
        <CommitAge run={run} now={now} t={t} lang={lang} />
      </td>
    </tr>
  );
}

/** "took 5 min 49 s" once finished; a clock ticking every second while it runs. */
function Duration({ run, t }: { run: RunSummary; t: TFunction }) {
  if (run.durationMs !== null) {
    return <span data-testid="duration">{t('records.took', { d: formatDuration(run.durationMs, t) })}</span>;
  }
  if (run.startedAt !== null && run.finishedAt === null) return <LiveElapsed since={run.startedAt} t={t} />;
  return null;
}

/** Only running rows re-render every second: the clock is its own component. */
function LiveElapsed({ since, t }: { since: number; t: TFunction }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const clock = formatClock(now - since);
  return (
    <time
      className="live-elapsed"
      data-testid="elapsed"
      dateTime={`PT${Math.max(0, Math.floor((now - since) / 1000))}S`}
    >
      {t('records.running', { d: clock })}
    </time>
  );
}

/** "committed about 1 hour ago" / "大约1小时前提交", or when the run was created if git gave no time. */
function CommitAge({ run, now, t, lang }: { run: RunSummary; now: number; t: TFunction; lang: Lang }) {
  const at = run.commitTime ?? run.createdAt;
  const rel = relativeTime(at, now, lang);
  const text =
    run.commitTime === null
      ? t('records.created', { ago: rel.text })
      : rel.unit === 'now'
        ? t('records.committedJustNow')
        : rel.unit === 'hour' || rel.unit === 'month' || rel.unit === 'year'
          ? t('records.committedAbout', { ago: rel.text })
          : t('records.committed', { ago: rel.text });
  return (
    <time
      className="muted"
      data-testid="commit-age"
      dateTime={new Date(at).toISOString()}
      title={formatDateTime(at, lang)}
    >
      {text}
    </time>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
