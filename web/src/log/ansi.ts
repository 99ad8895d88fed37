import Anser from 'anser';

/**
 * One run of text with one style. Colours are `rgb(r, g, b)` strings built here from numbers
 * (never text from the log), so the component can set them with React's `style` (CSSOM, which
 * the CSP allows) and put `text` in as a text node — a log never becomes HTML.
 */
export interface StyledSpan {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}

const ESC = '\u001b';

/**
 * String sequences a terminal swallows: OSC (`ESC ]`: titles, OSC 8 hyperlinks, OSC 52
 * clipboard), DCS (`ESC P`), SOS (`ESC X`), PM (`ESC ^`), APC (`ESC _`), and their 8-bit C1 forms.
 * They end with BEL or ST (`ESC \` or 0x9c); an unterminated one runs to the end of the line,
 * as in a terminal.
 */
const STRING_SEQUENCE =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g;

/** Any CSI (`ESC [` or 0x9b): parameters, intermediates, one final byte. Only SGR (`m`) is kept. */
const CSI = /(?:\u001b\[|\u009b)([\u0030-\u003f]*)([\u0020-\u002f]*)([\u0040-\u007e]?)/g;

/** Two-byte escapes (charset selection `ESC ( B`, `ESC 7`, keypad modes…) and a trailing lone ESC. */
const OTHER_ESCAPE = /\u001b(?:[\u0020-\u002f]*[\u0030-\u007e])?/g;

/** C0/C1 controls other than tab (and ESC, handled above): shown as nothing. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g;

/**
 * Removes everything but SGR sequences (colours, bold, italic, underline) from one log line.
 * A carriage return means "overwrite the line" (progress bars): only what comes after the last
 * one that is followed by text stays visible, as in a terminal.
 */
export function keepOnlySgr(line: string): string {
  let text = line;
  const cr = text.replace(/\r+$/, '').lastIndexOf('\r');
  if (cr !== -1) text = text.slice(cr + 1);
  text = text.replace(STRING_SEQUENCE, '');
  text = text.replace(CSI, (_all, params: string, inter: string, final: string) =>
    final === 'm' && inter === '' && /^[0-9;:]*$/.test(params)
      ? `${ESC}[${params.replaceAll(':', ';')}m`
      : '',
  );
  // Protect the SGR sequences kept above while removing the other escapes.
  const parts = text.split(/(\u001b\[[0-9;]*m)/);
  return parts
    .map((part, i) => (i % 2 === 1 ? part : part.replace(OTHER_ESCAPE, '').replace(CONTROLS, '')))
    .join('');
}

/** Anser gives colours as "r, g, b"; anything else is dropped rather than passed to CSS. */
function rgb(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{1,3}), ?(\d{1,3}), ?(\d{1,3})$/.exec(value);
  if (!m) return undefined;
  const [r, g, b] = [m[1], m[2], m[3]].map((n) => Math.min(255, Number(n)));
  return `rgb(${r}, ${g}, ${b})`;
}

/** A log line as styled spans: plain text plus the styles its SGR codes asked for. */
export function parseAnsiLine(line: string): StyledSpan[] {
  const clean = keepOnlySgr(line);
  if (!clean.includes(ESC)) return clean ? [{ text: clean }] : [];
  const spans: StyledSpan[] = [];
  for (const entry of Anser.ansiToJson(clean, { json: true, remove_empty: true })) {
    if (!entry.content) continue;
    const span: StyledSpan = { text: entry.content };
    const fg = rgb(entry.fg_truecolor) ?? rgb(entry.fg);
    const bg = rgb(entry.bg_truecolor) ?? rgb(entry.bg);
    if (fg) span.fg = fg;
    if (bg) span.bg = bg;
    const decorations = entry.decorations ?? [];
    if (decorations.includes('bold')) span.bold = true;
    if (decorations.includes('italic')) span.italic = true;
    if (decorations.includes('underline')) span.underline = true;
    spans.push(span);
  }
  return spans;
}

/**
 * The visible text of a line (what search matches): the same text `parseAnsiLine` shows,
 * without running the SGR parser (cheap enough for every line of a 100k-line log).
 */
export function plainText(line: string): string {
  return keepOnlySgr(line).replace(/\u001b\[[0-9;]*m/g, '');
}
