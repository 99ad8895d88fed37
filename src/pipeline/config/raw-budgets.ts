/**
 * Nesting depth, number of values and number of aliases of YAML text, measured on the raw
 * characters before any parsing.
 *
 * The YAML library's tokenizer and CST builder do real work per level: a megabyte of `[` or of
 * `- - - …` costs them close to a second and 100+ MiB before the CST depth check in
 * parse-yaml.ts can say no. This scan counts the same levels (block sequences and mappings,
 * flow collections) in one pass with a stack of indentation columns, so such text is refused
 * for the cost of reading it.
 *
 * It is a pre-filter, deliberately conservative: where the text is ambiguous without a real
 * parser it counts fewer levels, never more (a mapping whose sequence value sits at the key's
 * own indentation counts once; lines more indented than a plain or block scalar that opened
 * above are taken as that scalar's text). The precise check on the CST still runs afterwards,
 * so an undercount costs only time, and a valid file is never refused for depth it lacks.
 *
 * Values and aliases are counted because the library's memory grows with the nodes it builds:
 * within the size limit, a megabyte of tiny values (`- !x a` lines, alias-laden lists) needs
 * more than 100 MiB before the composed document can be checked. A value is a block entry, a
 * key, a scalar or a flow item; an alias is a `*name` where a value starts.
 */

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

/** What came last in a flow collection, to tell a quoted scalar from a quote inside plain text. */
type FlowLast = 'open' | 'colon' | 'plain' | 'end';

export interface RawBudgets {
  maxDepth: number;
  maxNodes: number;
  maxAliases: number;
}

export interface RawProblem {
  budget: 'depth' | 'nodes' | 'aliases';
  offset: number;
}

/** Offset of the first collection nested deeper than `maxDepth` levels, or null. */
export function findTooDeep(text: string, maxDepth: number): number | null {
  const problem = scanRawYaml(text, { maxDepth, maxNodes: Infinity, maxAliases: Infinity });
  return problem?.offset ?? null;
}

/** The first budget the text exceeds, where; or null. */
export function scanRawYaml(text: string, budgets: RawBudgets): RawProblem | null {
  const { maxDepth } = budgets;
  const n = text.length;
  const code = (k: number) => text.charCodeAt(k);
  const isBlank = (k: number) => {
    const c = code(k);
    return k >= n || c === SPACE || c === TAB || c === LF || c === CR;
  };
  const isLineEnd = (k: number) => {
    const c = code(k);
    return k >= n || c === LF || c === CR || c === 35; /* # */
  };
  const skipSpaces = (k: number) => {
    let p = k;
    while (p < n && (code(p) === SPACE || code(p) === TAB)) p++;
    return p;
  };
  const nextLine = (k: number) => {
    const e = text.indexOf('\n', k);
    return e < 0 ? n : e + 1;
  };

  /** Indentation columns of the open block collections, innermost last. */
  const stack: number[] = [];
  let tooDeep: number | null = null;
  let exceeded: RawProblem['budget'] = 'depth';
  let nodes = 0;
  let aliases = 0;
  const countNode = (at: number) => {
    nodes++;
    if (nodes > budgets.maxNodes && tooDeep === null) {
      exceeded = 'nodes';
      tooDeep = at;
    }
  };
  const countAlias = (at: number) => {
    aliases++;
    if (aliases > budgets.maxAliases && tooDeep === null) {
      exceeded = 'aliases';
      tooDeep = at;
    }
  };
  /** Start of the line the scan is on (scanners that cross lines move it). */
  let lineStart = 0;
  /** Lines indented more than this are the text of a scalar opened above; null: none open. */
  let scalarAbove: number | null = null;

  const openBlock = (col: number, at: number) => {
    const top = stack[stack.length - 1];
    if (top !== undefined && top >= col) return;
    stack.push(col);
    if (stack.length > maxDepth) tooDeep = at;
  };
  const moveTo = (k: number) => {
    lineStart = text.lastIndexOf('\n', k - 1) + 1;
    return k;
  };

  /** Past the closing quote of the quoted scalar at `k` (which may span lines). */
  const skipQuoted = (k: number): number => {
    const quote = code(k);
    let p = k + 1;
    while (p < n) {
      const c = code(p);
      if (quote === 34 && c === 92 /* \ */) p += 2;
      else if (c === quote) {
        if (quote === 39 && code(p + 1) === 39) p += 2;
        else return p + 1;
      } else p++;
    }
    return n;
  };

  /** Past the flow collection at `k`; sets tooDeep when it nests beyond the budget. */
  const skipFlow = (k: number): number => {
    let depth = 0;
    let last: FlowLast = 'open';
    for (let p = k; p < n; p++) {
      const c = code(p);
      if (c === 91 || c === 123) {
        depth++;
        if (stack.length + depth > maxDepth) {
          tooDeep = p;
          return p;
        }
        // The outermost one was counted as the value it is.
        if (depth > 1) countNode(p);
        if (tooDeep !== null) return p;
        last = 'open';
      } else if (c === 93 || c === 125) {
        depth--;
        last = 'end';
        if (depth === 0) return p + 1;
      } else if (c === 44 /* , */) {
        countNode(p);
        if (tooDeep !== null) return p;
        last = 'open';
      } else if (c === 34 || c === 39) {
        // `[a'b]` is the plain scalar a'b; only a quote where a scalar may start opens one.
        if (last === 'open' || last === 'colon') {
          p = skipQuoted(p) - 1;
          last = 'end';
        } else last = 'plain';
      } else if (c === 58 /* : */) {
        // An indicator after a JSON-like node or before a blank; otherwise part of plain text.
        last = last === 'end' || isBlank(p + 1) || '[]{},'.includes(text.charAt(p + 1)) ? 'colon' : 'plain';
      } else if (c === 35 /* # */ && p > k && isBlank(p - 1)) {
        p = nextLine(p) - 1;
      } else if (c !== SPACE && c !== TAB && c !== LF && c !== CR) {
        if (c === 42 /* * */ && (last === 'open' || last === 'colon')) {
          countAlias(p);
          if (tooDeep !== null) return p;
        }
        if (!(c === 63 /* ? */ && isBlank(p + 1))) last = 'plain';
      }
    }
    return n;
  };

  /**
   * The node at `k` (column `col`) and, when it turns out to be a key, the value after it.
   * Returns where the scan of this line stopped.
   */
  const node = (k: number, isValue: boolean): number => {
    let p = k;
    // Anchors and tags before the node.
    while (code(p) === 38 /* & */ || code(p) === 33 /* ! */) {
      while (!isBlank(p)) p++;
      p = skipSpaces(p);
    }
    if (isLineEnd(p)) return p;
    const col = p - lineStart;
    const c = code(p);
    countNode(p);
    if (c === 42 /* * */) countAlias(p);
    if (tooDeep !== null) return p;
    let end: number;
    if (c === 91 || c === 123) {
      end = moveTo(skipFlow(p));
      if (tooDeep !== null) return end;
    } else if (c === 34 || c === 39) {
      end = moveTo(skipQuoted(p));
    } else if (c === 124 || c === 62 /* | > */) {
      scalarAbove = stack[stack.length - 1] ?? -1;
      return p;
    } else {
      // A plain scalar, or a plain key: `: ` (or `:` at the end) before any ` #` makes a key.
      let q = p;
      while (q < n && code(q) !== LF && code(q) !== CR) {
        if (code(q) === 58 && isBlank(q + 1) && !isValue) return keyFound(col, q, p);
        if (code(q) === 35 && q > p && isBlank(q - 1)) break;
        q++;
      }
      // It may continue on more indented lines.
      scalarAbove = stack[stack.length - 1] ?? -1;
      return q;
    }
    const after = skipSpaces(end);
    if (!isValue && code(after) === 58 && isBlank(after + 1)) return keyFound(col, after, p);
    return after;
  };

  const keyFound = (col: number, colon: number, keyAt: number): number => {
    openBlock(col, keyAt);
    if (tooDeep !== null) return colon;
    const value = skipSpaces(colon + 1);
    return isLineEnd(value) ? value : node(value, true);
  };

  /** A line's content from `k`: block indicators (`- `, `? `, `: `), then a node. */
  const entry = (k: number): number => {
    let p = k;
    for (;;) {
      const c = code(p);
      if (!((c === 45 || c === 63 || c === 58) && isBlank(p + 1))) break;
      if (c !== 58) openBlock(p - lineStart, p);
      countNode(p);
      if (tooDeep !== null) return p;
      p = skipSpaces(p + 1);
      if (isLineEnd(p)) return p;
    }
    return node(p, false);
  };

  let i = 0;
  while (i < n && tooDeep === null) {
    lineStart = i;
    let p = i;
    while (p < n && code(p) === SPACE) p++;
    const indent = p - lineStart;
    if (isLineEnd(p)) {
      i = nextLine(p);
      continue;
    }
    if (scalarAbove !== null && indent > scalarAbove) {
      i = nextLine(p);
      continue;
    }
    scalarAbove = null;
    if (indent === 0 && code(p) === 37 /* % directive */) {
      i = nextLine(p);
      continue;
    }
    if (indent === 0 && (text.startsWith('---', p) || text.startsWith('...', p)) && isBlank(p + 3)) {
      // A new document starts from nothing.
      stack.length = 0;
      const value = skipSpaces(p + 3);
      i = nextLine(isLineEnd(value) ? value : node(value, true));
      continue;
    }
    while ((stack[stack.length - 1] ?? -1) > indent) stack.pop();
    i = nextLine(entry(p));
  }
  return tooDeep === null ? null : { budget: exceeded, offset: tooDeep };
}
