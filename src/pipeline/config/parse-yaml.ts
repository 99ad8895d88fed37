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
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
} from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import { linePos } from './locate.js';
import { scanRawYaml } from './raw-budgets.js';

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
/** Values that aliases may add to the document. A real config: hundreds; a "billion laughs": billions. */
const MAX_ALIAS_EXPANSION = 100_000;
/** A broken file makes the parser report one problem many times over; the first few are enough. */
const MAX_SYNTAX_ERRORS = 10;

/** The tags of the YAML 1.2 core schema. Writing `!!str 1` is harmless; anything else is not. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

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
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const scan = scanCst(tokens, maxDepth);
  if (scan.tooDeepAt !== null) {
    return refuse(diag('yaml-too-deep', `nesting is deeper than ${maxDepth} levels`, scan.tooDeepAt));
  }

  const composer = new Composer({
    schema: 'core',
    customTags: [],
    resolveKnownTags: false,
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

  // Safe now: no cycles, bounded expansion, bounded depth, scalar keys only (see inspect()).
  return { doc, lineCounter, value: doc.toJS({ maxAliasCount: -1 }), diagnostics };
}

interface CstScan {
  /** Offset of the first collection beyond the depth budget, or null. */
  tooDeepAt: number | null;
  /** Offsets of tag tokens (`!foo`), ascending: the composed nodes only know the resolved tag. */
  tags: number[];
}

/** Walks the CST with an explicit stack: it may be arbitrarily deep, recursion is not an option. */
function scanCst(tokens: CST.Token[], maxDepth: number): CstScan {
  const tags: number[] = [];
  const collectTags = (list: readonly CST.Token[] | undefined) => {
    for (const t of list ?? []) if (t.type === 'tag') tags.push(t.offset);
  };
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    switch (token.type) {
      case 'document':
        collectTags(token.start);
        if (token.value) stack.push({ token: token.value, depth });
        break;
      case 'block-scalar':
        collectTags(token.props);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > maxDepth) return { tooDeepAt: token.offset, tags };
        for (const item of token.items) {
          collectTags(item.start);
          if ('sep' in item) collectTags(item.sep);
          if (item.key) stack.push({ token: item.key, depth: depth + 1 });
          if (item.value) stack.push({ token: item.value, depth: depth + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return { tooDeepAt: null, tags: tags.sort((a, b) => a - b) };
}

interface InspectContext {
  maxDepth: number;
  maxAliases: number;
  tags: number[];
  text: string;
  lineCounter: LineCounter;
  diag: (code: string, message: string, offset: number) => Diagnostic;
}

/** Size and height (in collections) of a node once its aliases are expanded. */
interface Extent {
  size: number;
  height: number;
}

/** Thrown inside inspect() to stop the walk at the first exhausted budget. */
class BudgetExceeded extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/**
 * One walk over the composed document, in document order. Anchors are tracked as the walk
 * meets them, which is the YAML rule (an alias names the closest anchor before it), and a node
 * stays "open" while its children are walked, which is how a self-reference is recognised.
 * Recursion is fine here: the CST scan already bounded the depth.
 */
function inspect(doc: Document.Parsed, ctx: InspectContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  const anchors = new Map<string, Node>();
  const extents = new Map<Node, Extent>();
  const open = new Set<Node>();
  let aliasCount = 0;
  // Each alias adds its target's expanded size, so this sum is what expansion adds in total.
  let aliasExpansion = 0;
  const offsetOf = (node: Node) => node.range?.[0] ?? 0;

  const checkTag = (node: Node) => {
    if (node.tag === undefined || CORE_TAGS.has(node.tag)) return;
    const start = offsetOf(node);
    const at = lastBefore(ctx.tags, start) ?? start;
    const written = /^\S+/.exec(ctx.text.slice(at, at + 200))?.[0] ?? node.tag;
    found.push(
      ctx.diag('yaml-custom-tag', `custom tag ${written} is not allowed; write plain YAML values`, at),
    );
  };

  const keyText = (key: unknown): string | null => {
    if (key === null || key === undefined) return '';
    const target = isAlias(key) ? anchors.get(key.source) : key;
    // An unknown alias is reported on its own; one error for one mistake.
    if (target === undefined) return '';
    if (!isScalar(target)) return null;
    // The same rule toJS() uses to turn a key into a property name: 1 and "1" collide.
    return target.value === null || target.value === undefined ? '' : String(target.value);
  };

  const walk = (node: unknown, depth: number): Extent => {
    if (isAlias(node)) {
      aliasCount++;
      if (aliasCount > ctx.maxAliases) {
        throw new BudgetExceeded(
          ctx.diag('yaml-alias-limit', `more than ${ctx.maxAliases} aliases in one file`, offsetOf(node)),
        );
      }
      const target = anchors.get(node.source);
      if (!target) {
        found.push(
          ctx.diag(
            'yaml-syntax',
            `unknown alias *${node.source}; an anchor &${node.source} must come before it`,
            offsetOf(node),
          ),
        );
        return { size: 1, height: 0 };
      }
      if (open.has(target)) {
        throw new BudgetExceeded(
          ctx.diag(
            'yaml-alias-limit',
            `alias *${node.source} is inside the node it names, which would make it infinite`,
            offsetOf(node),
          ),
        );
      }
      const extent = extents.get(target)!;
      aliasExpansion += extent.size;
      if (aliasExpansion > MAX_ALIAS_EXPANSION) {
        throw new BudgetExceeded(
          ctx.diag(
            'yaml-alias-limit',
            `aliases expand to more than ${MAX_ALIAS_EXPANSION} values`,
            offsetOf(node),
          ),
        );
      }
      return extent;
    }
    if (!isMap(node) && !isSeq(node)) {
      if (isScalar(node)) {
        checkTag(node);
        if (node.anchor) anchors.set(node.anchor, node);
      }
      const extent = { size: 1, height: 0 };
      if (isScalar(node) && node.anchor) extents.set(node, extent);
      return extent;
    }

    checkTag(node);
    if (node.anchor) anchors.set(node.anchor, node);
    open.add(node);
    const extent = { size: 1, height: 1 };
    const add = (child: unknown) => {
      const e = walk(child, depth + 1);
      extent.size += e.size;
      extent.height = Math.max(extent.height, e.height + 1);
      // Only an alias can break this: the CST scan already bounded what is written out.
      if (depth + e.height > ctx.maxDepth) {
        const at = isAlias(child) ? offsetOf(child) : offsetOf(node);
        throw new BudgetExceeded(
          ctx.diag(
            'yaml-too-deep',
            `nesting (with aliases expanded) is deeper than ${ctx.maxDepth} levels`,
            at,
          ),
        );
      }
    };
    const seen = new Map<string, Node>();
    for (const item of node.items) {
      if (!isPair(item)) {
        add(item);
        continue;
      }
      const key = item.key as Node | null;
      // Keys are nodes too: they can carry tags and anchors, or be aliases.
      if (key !== null) add(key);
      const name = keyText(key);
      if (name === null) {
        found.push(
          ctx.diag('yaml-complex-key', 'keys must be plain values, not lists or mappings', offsetOf(key!)),
        );
      } else if (key) {
        const first = seen.get(name);
        if (first) {
          const { line } = linePos(ctx.lineCounter, offsetOf(first));
          found.push(
            ctx.diag(
              'yaml-duplicate-key',
              `duplicate key "${name}" (first defined on line ${line})`,
              offsetOf(key),
            ),
          );
        } else {
          seen.set(name, key);
        }
      }
      add(item.value);
    }
    open.delete(node);
    if (node.anchor) extents.set(node, extent);
    return extent;
  };

  try {
    const root = doc.contents;
    if (root) walk(root, 1);
  } catch (error) {
    if (error instanceof BudgetExceeded) return [...found, error.diagnostic];
    throw error;
  }
  return found;
}

/**
 * Core tags on the wrong kind of value (`!!int abc`, `!!map 1`) are only warnings to the
 * library, which then quietly keeps a string. Here they are errors like any other bad tag;
 * tags inspect() already reported are not reported twice.
 */
function misappliedTags(
  doc: Document.Parsed,
  reported: readonly Diagnostic[],
  text: string,
  diag: InspectContext['diag'],
): Diagnostic[] {
  const seen = new Set(reported.map((d) => `${d.line}:${d.col}`));
  const out: Diagnostic[] = [];
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    const at = warning.pos[0];
    const written = /^\S+/.exec(text.slice(at, at + 200))?.[0] ?? 'tag';
    const d = diag('yaml-custom-tag', `tag ${written} does not fit this value`, at);
    if (seen.has(`${d.line}:${d.col}`)) continue;
    seen.add(`${d.line}:${d.col}`);
    out.push(d);
  }
  return out;
}

/** The largest value in ascending `list` that is below `limit`. */
function lastBefore(list: readonly number[], limit: number): number | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${bytes} bytes`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
