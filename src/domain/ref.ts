/**
 * A git ref as the product talks about it: a branch or a tag by its short name, or a pull
 * (merge) request. A pull request is its own kind, never a branch: a fork can name its branch
 * `main`, and that must not make its run the `main` branch's run (badge, branch filters, GitFlow
 * class "main" = production). `name` of a pull request is its head branch, kept as data.
 */
export type RefKind = 'branch' | 'tag' | 'pull_request';
export type Ref =
  | { kind: 'branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'pull_request'; name: string; number: number };

/** `refs/heads/x` → branch x, `refs/tags/v1` → tag v1; a bare name is taken as a branch. */
export function parseRef(ref: string): Ref {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'branch', name: ref };
}

/** The ref git knows it by; a pull request's head branch lives in the head repository, so its
 * `refs/heads/…` here is only a best guess (runs of pull requests are built by sha). */
export function fullRef(ref: Ref): string {
  return ref.kind === 'tag' ? `refs/tags/${ref.name}` : `refs/heads/${ref.name}`;
}

/**
 * The record name of the execution records table: `feature/integration_test` at `69eb5e8…`
 * becomes `feature-integration_test-69eb5e8`. Tags keep their name (`v1.2.0`); pull requests
 * are recorded under the request (`pr-12-69eb5e8`), whatever their head branch is called.
 */
export function recordName(ref: Ref, sha: string): string {
  if (ref.kind === 'tag') return ref.name;
  const short = sha.slice(0, 7);
  const base = ref.kind === 'pull_request' ? `pr-${ref.number}` : ref.name.replaceAll('/', '-');
  return short ? `${base}-${short}` : base;
}

const PR_RECORD = /^pr-(\d{1,15})(?:-|$)/;

/**
 * The Ref of a stored run (`ref_kind`, `ref_name`, `record` columns). A pull request's number
 * is the one in its record name (see recordName); unknown kinds read as branches, as before.
 */
export function storedRef(kind: string, name: string, record: string): Ref {
  if (kind === 'tag') return { kind: 'tag', name };
  if (kind === 'pull_request') {
    const number = Number(PR_RECORD.exec(record)?.[1] ?? 0);
    return { kind: 'pull_request', name, number };
  }
  return { kind: 'branch', name };
}

// ---- One rule for ref names, used by the git server, manual runs and webhooks alike. ----

// Space, control characters, DEL and ~ ^ : ? * [ \ are never part of a ref name.
const FORBIDDEN_CHARS = /[\u0000-\u0020\u007f~^:?*[\\]/;
const MAX_REF_LENGTH = 1024;

/**
 * A ref name Slipway accepts (short like `feature/x` or full like `refs/heads/feature/x`): the
 * rules of `git check-ref-format`, and stricter where git's revision syntax or option parsing
 * could read a name as something else: no leading `-` (an option), no `@{`, `..`, `~`, `^`, `:`
 * (revision syntax), no bare `@` / `HEAD`.
 */
export function isValidRefName(name: string): boolean {
  if (!followsRefRules(name)) return false;
  // A full branch or tag ref is valid exactly when its short name is: `git push` of
  // `refs/heads/HEAD` or `refs/heads/refs/x` is refused like `HEAD` in the manual-run API.
  for (const prefix of ['refs/heads/', 'refs/tags/']) {
    if (name.startsWith(prefix)) return isValidShortRefName(name.slice(prefix.length));
  }
  return true;
}

/** A branch (or tag) as users and forges name it: a valid ref name that is not a full `refs/…` one. */
export function isValidShortRefName(name: string): boolean {
  return followsRefRules(name) && !name.startsWith('refs/');
}

function followsRefRules(name: string): boolean {
  if (name.length === 0 || name.length > MAX_REF_LENGTH) return false;
  if (name === '@' || name === 'HEAD' || name.startsWith('-')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  if (FORBIDDEN_CHARS.test(name)) return false;
  // No component may start with `-` either: `refs/heads/-x` is the branch `-x`.
  return name
    .split('/')
    .every((part) => !part.startsWith('.') && !part.endsWith('.lock') && !part.startsWith('-'));
}
