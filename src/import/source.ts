/**
 * A source CI file parsed once: its JavaScript value (anchors and `<<` merge keys resolved, as
 * GitLab and Woodpecker read them) and its YAML document, kept to find the line of a construct
 * and the comments around it.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  YAMLMap,
} from 'yaml';

export class ImportError extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number>,
    message: string,
  ) {
    super(message);
  }
}

export interface SourceFile {
  path: string;
  text: string;
  doc: Document;
  value: unknown;
  lines: LineCounter;
}

/** Big enough for real files, small enough that an alias bomb is an error, not a hang. */
const MAX_ALIAS_COUNT = 10_000;

export function parseSource(path: string, text: string): SourceFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
  });
  const error = doc.errors[0];
  if (error) {
    const at = lines.linePos(error.pos[0]);
    throw new ImportError(
      'import.yaml-syntax',
      { file: path, line: at.line, col: at.col, reason: error.message.split('\n')[0] ?? '' },
      `${path}:${at.line}:${at.col}: not valid YAML: ${error.message.split('\n')[0]}`,
    );
  }
  // GitLab's `!reference [job, key]`: kept as `{ '!reference': [job, key] }` for the resolver.
  visit(doc, {
    Seq(_, node) {
      if (node.tag !== '!reference') return undefined;
      const marker = new YAMLMap();
      marker.set(
        '!reference',
        node.items.map((item) => (isScalar(item) ? String(item.value) : '')),
      );
      return marker;
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new ImportError(
      'import.yaml-syntax',
      { file: path, line: 1, col: 1, reason: e instanceof Error ? e.message : String(e) },
      `${path}: cannot read the YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return { path, text, doc, value, lines };
}

/** The node at a path of map keys / sequence indexes, or undefined (e.g. it came from `<<`). */
export function nodeAt(src: SourceFile, path: readonly (string | number)[]): Node | undefined {
  let node: unknown = src.doc.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      node = pair?.value ?? undefined;
    } else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
    else return undefined;
  }
  return (node ?? undefined) as Node | undefined;
}

/**
 * Line of the key at `path` (or of the item, for an index); for a construct that came through an
 * anchor or merge key, the line of the nearest enclosing construct that is written out.
 */
export function lineOf(src: SourceFile, path: readonly (string | number)[]): number {
  for (let n = path.length; n > 0; n -= 1) {
    const parent = n === 1 ? src.doc.contents : nodeAt(src, path.slice(0, n - 1));
    const seg = path[n - 1];
    let range: readonly number[] | null | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    } else if (isSeq(parent) && typeof seg === 'number') {
      range = (parent.items[seg] as Node | undefined)?.range;
    }
    if (range) return src.lines.linePos(range[0] ?? 0).line;
  }
  return 1;
}

/** The comment written above a top-level key (a job), without the `#`. */
export function commentAbove(src: SourceFile, key: string): string | undefined {
  const root = src.doc.contents;
  if (!isMap(root)) return undefined;
  const pair = root.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  const comment = pair && isScalar(pair.key) ? pair.key.commentBefore : undefined;
  return comment ?? undefined;
}

/** The comment at the top of the file (before the first key). */
export function headerComment(src: SourceFile): string | undefined {
  const root = src.doc.contents;
  const first = isMap(root) ? root.items[0] : undefined;
  const onKey = first && isScalar(first.key) ? first.key.commentBefore : undefined;
  return src.doc.commentBefore ?? onKey ?? undefined;
}

export interface LineComments {
  before?: string;
  after?: string;
}

/** Comments on the items of a sequence written in the file (a script), by index. */
export function seqComments(src: SourceFile, path: readonly (string | number)[]): LineComments[] | undefined {
  const node = nodeAt(src, path);
  if (!isSeq(node)) return undefined;
  return node.items.map((item) => {
    const n = item as Node;
    return { before: n.commentBefore ?? undefined, after: n.comment ?? undefined };
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a list of strings (lists nested by anchors are flattened, as GitLab does). */
export function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.flat(10).map((v) => (v === null ? '' : String(v)));
  return [String(value)];
}

/** Comments after the last entry: of the document, and of a collection at `path` (steps). */
export function footerComment(src: SourceFile, path?: readonly (string | number)[]): string | undefined {
  const inner = path ? nodeAt(src, path) : undefined;
  const parts = [inner && (isSeq(inner) || isMap(inner)) ? inner.comment : undefined, src.doc.comment];
  const text = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n');
  return text === '' ? undefined : text;
}
