/**
 * A registry is named by `host[:port]`, the way Docker image references and `docker login`
 * name it. Users paste URLs (`https://registry.example:5000/v2/`), so a scheme and a bare `/` or
 * `/v2/` path are dropped; anything else (another path, credentials, a query) is refused, because
 * a reference can only name a host.
 */
export class RegistryHostError extends Error {}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

export function normaliseRegistryHost(input: string): string {
  let text = input.trim().toLowerCase();
  if (text.length === 0) throw new RegistryHostError('must name a registry host, e.g. registry.example:5000');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    if (scheme[1] !== 'https' && scheme[1] !== 'http') {
      throw new RegistryHostError(`must be host[:port] (or an http/https URL), not a ${scheme[1]} URL`);
    }
    text = text.slice(scheme[0].length);
  }
  if (/[@?#]/.test(text)) {
    throw new RegistryHostError('must be host[:port]; credentials and queries do not belong in it');
  }
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const path = text.slice(slash);
    if (path !== '/' && path !== '/v2' && path !== '/v2/') {
      throw new RegistryHostError(`must be host[:port] without a path (got "${path}")`);
    }
    text = text.slice(0, slash);
  }
  const match = HOST.exec(text);
  if (!match || text.length > 255) throw new RegistryHostError(`"${input.trim()}" is not a host[:port]`);
  const port = match[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) {
    throw new RegistryHostError(`port ${port} is out of range`);
  }
  return text;
}

/** The registry part of an image repository (`127.0.0.1:5000/team/api` → `127.0.0.1:5000`), or null. */
export function registryOfRepository(repository: string): string | null {
  const slash = repository.indexOf('/');
  if (slash === -1) return null;
  const first = repository.slice(0, slash);
  // Docker's rule: the first component is a registry when it has a dot, a port or is localhost.
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first.toLowerCase() : null;
}
