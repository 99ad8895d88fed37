/**
 * Diagnostics as a compiler prints them: the `file:line:col:` prefix that editors and terminals
 * turn into links, then the source line with a caret under the spot.
 *
 *   .slipway.yml:7:9: error[unknown-key]: unknown key "scirpt" in job "test"; did you mean "script"?
 *      7 |         scirpt: echo hi
 *        |         ^^^^^^
 */
import type { Diagnostic, Severity } from './diagnostic.js';
import { displayWidth } from './display-width.js';

export interface FormatOptions {
  color: boolean;
}

/** About the file as a whole: a source line under them would point at nothing. */
const WHOLE_FILE_CODES = new Set(['file-too-large', 'empty-file']);
/** Longest excerpt of a source line; minified or generated lines must not flood the terminal. */
const MAX_EXCERPT = 120;
const TAB = '    ';

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[34m' };

/**
 * `sources`: the text of the file, or of every file by name when diagnostics may be about
 * included files too.
 */
export function formatDiagnostics(
  diags: readonly Diagnostic[],
  sources: string | Readonly<Record<string, string>>,
  opts: FormatOptions,
): string {
  const paint = (style: string, text: string) => (opts.color ? `${style}${text}${ANSI.reset}` : text);
  const readers = new Map<string, (n: number) => string | undefined>();
  const lines = (file: string, n: number) => {
    const text = typeof sources === 'string' ? sources : sources[file];
    if (text === undefined) return undefined;
    let reader = readers.get(file);
    if (!reader) {
      reader = lineReader(text);
      readers.set(file, reader);
    }
    return reader(n);
  };
  const gutter = String(Math.max(0, ...diags.map((d) => d.line))).length;

  return diags
    .map((d) => {
      const tone = severityColor(d.severity);
      const head =
        `${paint(ANSI.bold, `${d.file}:${d.line}:${d.col}:`)} ` +
        `${paint(ANSI.bold + tone, `${d.severity}[${d.code}]`)}: ${paint(ANSI.bold, d.message)}`;
      const source = WHOLE_FILE_CODES.has(d.code) ? undefined : lines(d.file, d.line);
      if (source === undefined || source.trim() === '') return head;
      const { text, caretAt, width } = excerpt(source, d.col);
      const bar = paint(ANSI.blue, '|');
      return [
        head,
        `${paint(ANSI.blue, String(d.line).padStart(gutter + 1))} ${bar} ${text}`,
        `${' '.repeat(gutter + 1)} ${bar} ${' '.repeat(caretAt)}${paint(ANSI.bold + tone, '^'.repeat(width))}`,
      ].join('\n');
    })
    .join('\n\n');
}

function severityColor(severity: Severity): string {
  return severity === 'error' ? ANSI.red : ANSI.yellow;
}

/** Line `n` (1-based) without its line break; the text is split once, on first use. */
function lineReader(text: string): (n: number) => string | undefined {
  let lines: string[] | null = null;
  return (n) => {
    lines ??= text.split('\n');
    return lines[n - 1]?.replace(/\r$/, '');
  };
}

/**
 * The part of `line` to show, and where the caret goes in it. Tabs become spaces so the caret
 * line lines up; long lines are cut to a window around the column. The caret spans the token
 * at the column (a key, a word), which is what the message is about. Positions are counted in
 * terminal columns: a CJK character takes two (display-width.ts).
 */
function excerpt(line: string, col: number): { text: string; caretAt: number; width: number } {
  const index = Math.min(Math.max(col - 1, 0), line.length);
  const token = /^[^\s:,[\]{}#]+/.exec(line.slice(index))?.[0].length ?? 0;
  let start = 0;
  let end = line.length;
  if (line.length > MAX_EXCERPT) {
    start = Math.max(0, Math.min(index - MAX_EXCERPT / 2, line.length - MAX_EXCERPT));
    end = start + MAX_EXCERPT;
  }
  const before = line.slice(start, index).replaceAll('\t', TAB);
  const shown = line.slice(start, end).replaceAll('\t', TAB);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < line.length ? '…' : '';
  return {
    text: `${prefix}${shown}${suffix}`,
    caretAt: prefix.length + displayWidth(before),
    width: Math.max(1, displayWidth(line.slice(index, index + Math.min(token, end - index)))),
  };
}
