/** One row of the windowed log: line anchor, fold toggle for step headers, ANSI-styled text. */
import type { JSX } from 'react';
import { parseAnsiLine, type StyledSpan } from './ansi.js';
import type { Step } from './fold.js';
import type { LogLine } from './log-source.js';
import { markRanges } from './search.js';

/** Parsed lines kept; visible rows are re-parsed when they scroll back in after eviction. */
const PARSE_CACHE = 4000;

/** A styled span, possibly inside a search match. */
export type MarkedSpan = StyledSpan & { mark?: 'match' | 'current' };
export function LogRow({
  line,
  top,
  spans,
  selected,
  step,
  folded,
  onToggle,
}: {
  line: LogLine;
  top: number;
  spans: MarkedSpan[];
  selected: boolean;
  step: Step | undefined;
  folded: boolean;
  onToggle: (header: number) => void;
}): JSX.Element {
  const classes = ['log-line', `log-${line.stream}`];
  if (selected) classes.push('log-selected');
  if (step) classes.push('log-step');
  return (
    <div className={classes.join(' ')} id={`L${line.n}`} data-testid="log-line" style={{ top }}>
      <a className="log-n" href={`#L${line.n}`}>
        {line.n}
      </a>
      {step ? (
        <button
          type="button"
          className="log-fold"
          data-testid="log-fold"
          aria-expanded={!folded}
          onClick={() => onToggle(step.header)}
        >
          {folded ? '▸' : '▾'}
        </button>
      ) : (
        <span className="log-fold-space" />
      )}
      <span className="log-text">
        {spans.map((span, i) => (
          // Text nodes only: whatever a log contains is shown, never interpreted as HTML.
          // biome-ignore lint/suspicious/noArrayIndexKey: spans of one line never reorder
          <span key={i} className={spanClass(span)} style={spanStyle(span)}>
            {span.text}
          </span>
        ))}
        {step && folded ? <span className="log-folded-count"> ({step.end - step.header - 1})</span> : null}
      </span>
    </div>
  );
}

function spanClass(span: MarkedSpan): string | undefined {
  const c: string[] = [];
  if (span.bold) c.push('ansi-bold');
  if (span.italic) c.push('ansi-italic');
  if (span.underline) c.push('ansi-underline');
  if (span.mark) c.push(span.mark === 'current' ? 'log-mark-current' : 'log-mark');
  return c.length ? c.join(' ') : undefined;
}

function spanStyle(span: StyledSpan): { color?: string; backgroundColor?: string } | undefined {
  if (!span.fg && !span.bg) return undefined;
  return { ...(span.fg ? { color: span.fg } : {}), ...(span.bg ? { backgroundColor: span.bg } : {}) };
}

/** A line's spans (parsed once, cached), with search matches marked. `text` is what it shows. */
export function spansOf(
  cache: Map<number, StyledSpan[]>,
  line: LogLine,
  text: string,
  ranges: { start: number; end: number; current?: boolean }[],
): MarkedSpan[] {
  let spans = cache.get(line.n);
  if (!spans) {
    if (cache.size >= PARSE_CACHE) cache.clear();
    spans = parseAnsiLine(text);
    cache.set(line.n, spans);
  }
  return markRanges(spans, ranges);
}
