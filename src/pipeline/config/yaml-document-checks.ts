/**
 * The checks parse-yaml.ts runs on the composed document before `toJS`: alias count, alias
 * expansion and expanded depth (the library's own alias check is too slow and too lenient, see
 * parse-yaml.ts), custom or misapplied tags, duplicate and non-scalar keys.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import { linePos } from './locate.js';

/** Values that aliases may add to the document. A real config: hundreds; a "billion laughs": billions. */
const MAX_ALIAS_EXPANSION = 100_000;

/** The tags of the YAML 1.2 core schema. Writing `!!str 1` is harmless; anything else is not. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

export interface InspectContext {
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
export function inspect(doc: Document.Parsed, ctx: InspectContext): Diagnostic[] {
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
export function misappliedTags(
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
