/** A git ref as the product talks about it: a branch or a tag, by its short name. */
export type RefKind = 'branch' | 'tag';
export interface Ref {
  kind: RefKind;
  name: string;
}

/** `refs/heads/x` → branch x, `refs/tags/v1` → tag v1; a bare name is taken as a branch. */
export function parseRef(ref: string): Ref {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'branch', name: ref };
}

export function fullRef(ref: Ref): string {
  return ref.kind === 'tag' ? `refs/tags/${ref.name}` : `refs/heads/${ref.name}`;
}

/**
 * The record name of the execution records table: `feature/integration_test` at `69eb5e8…`
 * becomes `feature-integration_test-69eb5e8`. Tags keep their name (`v1.2.0`).
 */
export function recordName(ref: Ref, sha: string): string {
  if (ref.kind === 'tag') return ref.name;
  const short = sha.slice(0, 7);
  const branch = ref.name.replaceAll('/', '-');
  return short ? `${branch}-${short}` : branch;
}
