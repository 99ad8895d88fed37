import { type JSX, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { TFunction } from '../i18n/index.js';
import { plainText, type StyledSpan } from './ansi.js';
import { findSteps, isStepHeader, stepOf, visibleRows } from './fold.js';
import { LogRow, spansOf } from './LogRow.js';
import { hashLine, indexOfLine, lineRanges, lowerBound } from './line-lookup.js';
import { type LogLine, logUrl, openLogSource, type SourceState } from './log-source.js';
import { findMatches, stepMatch } from './search.js';
import { shownText } from './system-line-text.js';
import './log.css';

export interface LogViewProps {
  project: string;
  run: number;
  job: string;
  /** The job is still running: follow the SSE stream. */
  live: boolean;
  t: TFunction;
}

/** Fixed row height (px, matches .log-line in log.css): windowing computes positions from it. */
const LINE_HEIGHT = 18;
/** Rows rendered above and below the viewport, so fast scrolling shows no blank rows. */
const OVERSCAN = 30;
/** Server and agent truncation markers both start like this (src/server/logs/log-cap.ts). */
const TRUNCATION_PREFIX = '[slipway] log truncated';

/** The log of one job: ANSI colours, steps that fold, line anchors, search, live follow. */
export function LogView({ project, run, job, live, t }: LogViewProps): JSX.Element {
  // Lines live in refs (a 100k-line log is not copied per batch); `version` re-renders.
  const lines = useRef<LogLine[]>([]);
  const texts = useRef<string[]>([]);
  const plain = useRef<string[]>([]);
  const parsed = useRef(new Map<number, StyledSpan[]>());
  const [version, setVersion] = useState(0);
  // `texts` hold what each line shows (coded system lines translated), which search and folding
  // work on; the reader's language is read through this ref so a batch never waits on a render.
  const tRef = useRef(t);
  const frame = useRef<number | null>(null);
  const [state, setState] = useState<SourceState>('loading');
  const [error, setError] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(-1);
  const [follow, setFollow] = useState(() => live && hashLine() === null);
  const [selected, setSelected] = useState<number | null>(() => hashLine());
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const scroller = useRef<HTMLDivElement>(null);
  /** A line to scroll to once it has arrived (from #L<n>). */
  const pendingScroll = useRef<number | null>(selected);
  const url = logUrl(project, run, job);

  useEffect(() => {
    const stop = openLogSource(
      url,
      { live, after: lines.current.at(-1)?.n ?? 0 },
      {
        onLines: (batch) => {
          for (const line of batch) {
            lines.current.push(line);
            texts.current.push(shownText(line, tRef.current));
          }
          // Batches can arrive many times a frame: render once per frame.
          if (frame.current === null)
            frame.current = requestAnimationFrame(() => {
              frame.current = null;
              setVersion((v) => v + 1);
            });
        },
        onState: (next, message) => {
          setState(next);
          setError(message ?? null);
        },
      },
    );
    return () => {
      stop();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [url, live]);

  // Another language: coded lines are shown (and searched) in it; their parsed spans are redone.
  useEffect(() => {
    if (tRef.current === t) return;
    tRef.current = t;
    let changed = false;
    lines.current.forEach((line, i) => {
      if (line.code === undefined) return;
      texts.current[i] = shownText(line, t);
      parsed.current.delete(line.n);
      changed = true;
    });
    if (!changed) return;
    plain.current = [];
    setVersion((v) => v + 1);
  }, [t]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is what says the line refs changed
  const steps = useMemo(() => findSteps(texts.current), [version]);
  const rows = useMemo(() => visibleRows(lines.current.length, steps, collapsed), [steps, collapsed]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is what says the line refs changed
  const matches = useMemo(() => {
    if (query === '') return [];
    // Visible text is worked out on the first search only, then kept as lines arrive.
    for (let i = plain.current.length; i < texts.current.length; i++)
      plain.current.push(plainText(texts.current[i] as string));
    return findMatches(plain.current, query);
  }, [query, version]);
  // The cap's marker is always the last line stored (nothing follows it).
  const lastLine = lines.current.at(-1);
  const truncated = lastLine?.stream === 'system' && lastLine.text.startsWith(TRUNCATION_PREFIX);

  /** Scrolls so line index `index` is in view (unfolding its step), centred when it was off screen. */
  const revealIndex = useCallback(
    (index: number) => {
      const step = stepOf(steps, index);
      if (step && step.header !== index && collapsed.has(step.header)) {
        const next = new Set(collapsed);
        next.delete(step.header);
        setCollapsed(next);
        // The row list changes on the next render; scroll then.
        pendingScroll.current = lines.current[index]?.n ?? null;
        return;
      }
      const el = scroller.current;
      const row = lowerBound(rows, index);
      if (!el || rows[row] !== index) return;
      const top = row * LINE_HEIGHT;
      if (top < el.scrollTop || top + LINE_HEIGHT > el.scrollTop + el.clientHeight)
        el.scrollTop = Math.max(0, top - el.clientHeight / 2);
    },
    [steps, collapsed, rows],
  );

  // A #L<n> anchor selects its line and scrolls to it (now, or when the line has arrived).
  useEffect(() => {
    const onHash = () => {
      const n = hashLine();
      setSelected(n);
      if (n !== null) {
        pendingScroll.current = n;
        setFollow(false);
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after every batch and fold change
  useLayoutEffect(() => {
    const n = pendingScroll.current;
    if (n === null) return;
    const index = indexOfLine(lines.current, n);
    if (index === -1) return;
    pendingScroll.current = null;
    revealIndex(index);
  }, [version, rows, selected, revealIndex]);

  // Follow: stay at the bottom while live and the user has not scrolled up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll again after every batch
  useLayoutEffect(() => {
    const el = scroller.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, rows, version]);

  // The current search match is scrolled into view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the selected match changes
  useLayoutEffect(() => {
    const match = matches[current];
    if (match) revealIndex(match.line);
  }, [current, query]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight || 600);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT * 2;
    // Scrolling up stops following; scrolling back to the bottom of a live log resumes it.
    if (follow && !atBottom) setFollow(false);
    else if (!follow && atBottom && state === 'live' && pendingScroll.current === null) setFollow(true);
  };

  const toggleStep = (header: number) => {
    const next = new Set(collapsed);
    if (next.has(header)) next.delete(header);
    else next.add(header);
    setCollapsed(next);
  };

  const go = (step: 1 | -1) => {
    const next = stepMatch(matches.length, current, step);
    setCurrent(next);
    setFollow(false);
  };

  const first = Math.max(0, Math.floor(scrollTop / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / LINE_HEIGHT) + OVERSCAN);
  const currentMatch = matches[current];
  const rendered: JSX.Element[] = [];
  for (let row = first; row < last; row++) {
    const index = rows[row] as number;
    const line = lines.current[index] as LogLine;
    const step = isStepHeader(line.text) ? stepOf(steps, index) : undefined;
    rendered.push(
      <LogRow
        key={line.n}
        line={line}
        top={row * LINE_HEIGHT}
        spans={spansOf(
          parsed.current,
          line,
          texts.current[index] as string,
          lineRanges(matches, index, currentMatch),
        )}
        selected={selected === line.n}
        step={step}
        folded={step ? collapsed.has(step.header) : false}
        onToggle={toggleStep}
      />,
    );
  }

  const count = lines.current.length;
  return (
    <div className="log" data-testid="log">
      <div className="log-toolbar">
        <input
          type="search"
          className="log-search"
          data-testid="log-search"
          placeholder={t('log.search')}
          aria-label={t('log.search')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCurrent(-1);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              go(e.shiftKey ? -1 : 1);
            }
          }}
        />
        {query ? (
          <span className="log-matches" data-testid="log-matches">
            {matches.length === 0 ? '0' : `${current + 1 || '–'} / ${matches.length}`}
          </span>
        ) : null}
        <button
          type="button"
          onClick={() => go(-1)}
          disabled={matches.length === 0}
          aria-label="previous match"
        >
          ↑
        </button>
        <button type="button" onClick={() => go(1)} disabled={matches.length === 0} aria-label="next match">
          ↓
        </button>
        {live ? (
          <button
            type="button"
            aria-pressed={follow}
            data-testid="log-follow"
            className={follow ? 'primary' : undefined}
            onClick={() => setFollow(!follow)}
          >
            {t('log.follow')}
          </button>
        ) : null}
        <a className="button" href={`${url}/raw`} download data-testid="log-download">
          {t('log.download')}
        </a>
        <span className="muted log-count">
          {count} {t('log.lines')}
        </span>
        {state === 'reconnecting' ? (
          <span className="warning" role="status" data-testid="log-reconnecting">
            {t('log.reconnecting')}
          </span>
        ) : null}
      </div>
      {error ? <p className="error">{error}</p> : null}
      <div className="log-scroll" ref={scroller} onScroll={onScroll} data-testid="log-scroll">
        {count === 0 ? (
          <p className="log-empty">{state === 'loading' ? '…' : t('log.empty')}</p>
        ) : (
          <div className="log-body" style={{ height: rows.length * LINE_HEIGHT }}>
            {rendered}
          </div>
        )}
      </div>
      {truncated ? (
        <p className="log-truncated" data-testid="log-truncated">
          {t('log.truncated')}
        </p>
      ) : null}
    </div>
  );
}
