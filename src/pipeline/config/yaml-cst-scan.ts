/**
 * The nesting-depth budget, measured on the CST: the parser has run but the composer (which
 * recurses once per level and would overflow the stack) has not. The same walk collects where
 * tags were written, because the composed nodes only know the resolved tag.
 */
import type { CST } from 'yaml';

export interface CstScan {
  /** Offset of the first collection beyond the depth budget, or null. */
  tooDeepAt: number | null;
  /** Offsets of tag tokens (`!foo`), ascending: the composed nodes only know the resolved tag. */
  tags: number[];
}

/** Walks the CST with an explicit stack: it may be arbitrarily deep, recursion is not an option. */
export function scanCst(tokens: CST.Token[], maxDepth: number): CstScan {
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
