/**
 * Docker image reference syntax (distribution/reference), enough to refuse a bad tag or
 * repository before the engine does, with a message that names the culprit.
 */

/** A tag: what `docker tag` accepts. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
/** A registry host[:port]. */
export const REGISTRY = new RegExp(`^${DOMAIN}$`);
/** A repository: optional registry, then path components. */
export const REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);

/** Why `tag` is not a valid tag, or null. */
export function tagProblem(tag: string): string | null {
  return TAG.test(tag)
    ? null
    : `tag "${tag}" is not a valid image tag (letters, digits, _ . -; not starting with . or -; at most 128)`;
}

export function repositoryProblem(repository: string): string | null {
  if (repository.length > 255) return `repository "${repository}" is longer than 255 characters`;
  return REPOSITORY.test(repository)
    ? null
    : `repository "${repository}" is not a valid image name (lowercase letters, digits and separators, optionally after registry-host[:port]/)`;
}

/** Whether the first path component of a repository is a registry host (has . or : or is localhost). */
export function registryOf(repository: string): string | null {
  const slash = repository.indexOf('/');
  if (slash < 0) return null;
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : null;
}
