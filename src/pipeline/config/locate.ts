/**
 * From a path in the config value (`['stages', 1, 'jobs', 'test', 'script']`) back to a line and
 * column in the YAML text, so every diagnostic can point at the source.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;
export type ConfigPath = readonly PathSegment[];

export interface Position {
  line: number;
  col: number;
  /** Set when the spot is in another file than the one being loaded (an `include:`d file). */
  file?: string;
}

/**
 * `value` points at the node; `key` at the key that names it (best for "unknown key" and for a
 * missing key, reported on the mapping that lacks it). A path that leads nowhere falls back to
 * its nearest existing ancestor.
 */
export type Locator = (path: ConfigPath, target?: 'key' | 'value') => Position;

/**
 * 1-based line and column of `offset`. Before the parser has fed the counter (a file refused for
 * its size) it knows no lines and would answer 0:0; every diagnostic promises at least 1:1.
 */
export function linePos(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(1, line), col: Math.max(1, col) };
}

/** `stages.1.jobs.test.script`, the form of `Diagnostic.path`. */
export function formatPath(path: ConfigPath): string {
  return path.join('.');
}

export function createLocator(doc: Document.Parsed | null, lineCounter: LineCounter): Locator {
  // Per-locator index of mapping keys: a file with thousands of problems in one big mapping
  // must not cost a linear key search per problem.
  const keyIndex = new Map<Node, Map<string, { key: Node; value: unknown }>>();
  const entries = (map: Node & { items: unknown[] }) => {
    let index = keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const name = pair.key.value === null || pair.key.value === undefined ? '' : String(pair.key.value);
        // toJS() keeps the last of duplicate keys; so do we.
        index.set(name, { key: pair.key, value: pair.value });
      }
      keyIndex.set(map, index);
    }
    return index;
  };
  const resolve = (node: unknown): unknown => (isAlias(node) && doc ? node.resolve(doc) : node);
  const position = (offset: number | undefined): Position =>
    offset === undefined ? { line: 1, col: 1 } : linePos(lineCounter, offset);

  return (path, target = 'value') => {
    if (!doc?.contents) return { line: 1, col: 1 };
    let node: unknown = doc.contents;
    // Where the deepest node found so far was named: the key for a mapping entry.
    let namedAt: Node | null = null;
    let complete = true;
    for (const segment of path) {
      const current = resolve(node);
      let next: { key: Node | null; value: unknown } | undefined;
      if (isMap(current)) {
        next = entries(current).get(String(segment));
      } else if (isSeq(current) && typeof segment === 'number' && segment < current.items.length) {
        next = { key: null, value: current.items[segment] };
      }
      if (!next) {
        complete = false;
        break;
      }
      node = next.value;
      namedAt = next.key;
    }
    const valueOffset = rangeStart(node);
    // A key with nothing after it (`script:`) has a value node with an empty range; the key is
    // the only thing to point at.
    const emptyValue = isScalar(node) && node.range && node.range[0] === node.range[1];
    if ((target === 'key' || !complete || emptyValue || valueOffset === undefined) && namedAt) {
      return position(rangeStart(namedAt));
    }
    return position(valueOffset);
  };
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}
