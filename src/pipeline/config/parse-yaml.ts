/**
 * YAML text → a positioned `Document` and its plain value, within budgets.
 *
 * `.slipway.yml` arrives with every push, so it is untrusted input. Each budget below stops a
 * known way of making the parser (or the code after it) hang or eat memory:
 *
 * - size: checked on the raw text, before any parsing.
 * - values and aliases: counted on the raw text too (raw-budgets.ts), since the library's
 *   memory grows with the nodes it builds before the composed document can be inspected.
 * - nesting depth: checked on the raw text first (raw-depth.ts: the tokenizer alone spends most
 *   of a second and 100+ MiB on a megabyte of `[`), then precisely on the CST, before composing,
 *   because the composer recurses once per level and would overflow the stack.
 * - aliases: checked on the composed document, before `toJS`. The library's own `maxAliasCount`
 *   is not enough: it counts an alias of an empty collection as zero (so 20 000 of them pass and
 *   take seconds), it re-walks the whole document for every alias it measures (a 50 kB file can
 *   take a minute), and a self-referencing alias (`&a [*a]`) yields a cyclic value. We count
 *   aliases, expanded size and expanded depth ourselves, then call `toJS` with its check off.
 *
 * Beyond budgets, the document is held to plain YAML 1.2: no custom tags, no duplicate keys,
 * only scalar keys, one document.
 */
import { Composer, type CST, type Document, LineCounter, Parser } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import { linePos } from './locate.js';
import { scanRawYaml } from './raw-budgets.js';
import { scanCst } from './yaml-cst-scan.js';
import { inspect, misappliedTags } from './yaml-document-checks.js';

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_ALIASES = 100;
/**
 * Values (keys, scalars, block entries, flow items; raw-budgets.ts) in one file. A pipeline at
 * the 1 000-job limit with twenty script lines per job has about 45 000. Measured: 50 000 tiny
 * values parse within a 64 MiB heap, so this keeps a parse to a bounded ~130 MiB however the
 * megabyte of text is spent (the worker parsing large files has 256 MiB).
 */
export const DEFAULT_MAX_VALUES = 100_000;
/** A broken file makes the parser report one problem many times over; the first few are enough. */
const MAX_SYNTAX_ERRORS = 10;

export interface YamlBudgets {
  maxBytes?: number;
  maxDepth?: number;
  maxAliasCount?: number;
  maxValues?: number;
}

export interface ParsedYaml {
  /** Null when the text was refused before it could be composed. */
  doc: Document.Parsed | null;
  lineCounter: LineCounter;
  /** The plain value (`null` for an empty file); `undefined` whenever there are diagnostics. */
  value: unknown;
  diagnostics: Diagnostic[];
}

export function parseYaml(text: string, file: string, budgets: YamlBudgets = {}): ParsedYaml {
  const maxBytes = budgets.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = budgets.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxAliases = budgets.maxAliasCount ?? DEFAULT_MAX_ALIASES;
  const maxNodes = budgets.maxValues ?? DEFAULT_MAX_VALUES;
  const lineCounter = new LineCounter();
  const diag = (code: string, message: string, offset: number): Diagnostic => {
    const { line, col } = linePos(lineCounter, offset);
    return { code, message, severity: 'error', file, line, col, path: '' };
  };
  const refuse = (d: Diagnostic): ParsedYaml => ({
    doc: null,
    lineCounter,
    value: undefined,
    diagnostics: [d],
  });

  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap length test settles huge inputs.
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    // Callers that read files stop at the limit, so the size may be a lower bound: say "larger".
    const size = formatBytes(Buffer.byteLength(text, 'utf8'));
    const limit = formatBytes(maxBytes);
    const message = `file is larger than the ${limit} limit${size === limit ? '' : ` (${size})`}`;
    return refuse(diag('file-too-large', message, 0));
  }

  // The tokenizer itself is what deep text makes slow, and the composer what many values make
  // big: count both (and aliases) on the raw text first.
  const raw = scanRawYaml(text, { maxDepth, maxNodes, maxAliases });
  if (raw !== null) {
    // The parser has not fed the line counter; do it (as it would) for the diagnostic's position.
    lineCounter.addNewLine(0);
    for (let at = text.indexOf('\n'); at >= 0 && at < raw.offset; at = text.indexOf('\n', at + 1)) {
      lineCounter.addNewLine(at + 1);
    }
    const [code, message] = {
      depth: ['yaml-too-deep', `nesting is deeper than ${maxDepth} levels`],
      nodes: ['yaml-too-many-values', `more than ${maxNodes} values in one file`],
      aliases: ['yaml-alias-limit', `more than ${maxAliases} aliases in one file`],
    }[raw.budget];
    return refuse(diag(code as string, message as string, raw.offset));
  }

  // parseDocument() is exactly Parser + Composer; doing the two steps here lets the depth
  // budget run on the CST in between (precise where the raw scan was conservative).
  let tokens: CST.Token[];
  try {
    tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  } catch (error) {
    // The raw scan undercounts on purpose where text is ambiguous (lines after a plain scalar),
    // and in some such texts the library's parser still nests block sequences, recursing once
    // per level: deep enough, it overflows the stack. That is this budget, found the hard way.
    if (error instanceof RangeError) {
      return refuse(diag('yaml-too-deep', `nesting is deeper than ${maxDepth} levels`, 0));
    }
    throw error;
  }
  const scan = scanCst(tokens, maxDepth);
  if (scan.tooDeepAt !== null) {
    return refuse(diag('yaml-too-deep', `nesting is deeper than ${maxDepth} levels`, scan.tooDeepAt));
  }

  const composer = new Composer({
    schema: 'core',
    customTags: [],
    resolveKnownTags: false,
    // `<<: *defaults` merge keys, as in GitLab CI files (YAML 1.1's, off by default in 1.2).
    merge: true,
    // We report duplicates ourselves, with a better message and the keys' string collisions.
    uniqueKeys: false,
    logLevel: 'error',
  });
  const docs = Array.from(composer.compose(tokens, true, text.length));
  const doc = docs[0]!;
  const second = docs[1];
  if (second) {
    return refuse(
      diag(
        'yaml-multiple-documents',
        'the file holds more than one YAML document; keep a single one',
        second.range[0],
      ),
    );
  }

  const diagnostics: Diagnostic[] = [];
  const seenLines = new Set<number>();
  for (const error of doc.errors) {
    const d = diag('yaml-syntax', lowerFirst(error.message), error.pos[0]);
    if (seenLines.has(d.line)) continue;
    seenLines.add(d.line);
    diagnostics.push(d);
    if (diagnostics.length >= MAX_SYNTAX_ERRORS) break;
  }
  if (diagnostics.length > 0) return { doc, lineCounter, value: undefined, diagnostics };

  diagnostics.push(...inspect(doc, { maxDepth, maxAliases, tags: scan.tags, text, lineCounter, diag }));
  diagnostics.push(...misappliedTags(doc, diagnostics, text, diag));
  if (diagnostics.length > 0) return { doc, lineCounter, value: undefined, diagnostics };

  // Safe now: no cycles, bounded expansion, bounded depth, scalar keys only (see yaml-document-checks.ts).
  return { doc, lineCounter, value: doc.toJS({ maxAliasCount: -1 }), diagnostics };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${bytes} bytes`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
