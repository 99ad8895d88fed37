/**
 * The ASCII slug of a job or stage name: what container and volume names, URLs of files and
 * variables use where the name itself (`单元测试`, `test [node=20]`) cannot go.
 *
 * Stable: it depends on the name only, so a re-run or another agent derives the same one.
 * Unique: a name that already is a slug is kept as it is (existing pipelines keep their
 * container names); any other name gets its readable ASCII part plus 8 hex digits of a hash of
 * the whole name, so `构建` and `测试` — both without ASCII letters — still differ.
 */

/** Already a slug: what Docker takes as a container name piece, and lowercase. */
const PLAIN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const MAX_BASE = 40;

export function nameSlug(name: string): string {
  if (PLAIN.test(name)) return name;
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE)
    .replace(/-+$/, '');
  return `${base || 'x'}-${fnv1a(name)}`;
}

/**
 * 32-bit FNV-1a over the UTF-16 units, as 8 hex digits. Not for security: it only has to tell
 * apart the few dozen names of one pipeline, and it is the same in Node and in the browser
 * (node:crypto is not), which is why a small hash is written out here.
 */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
