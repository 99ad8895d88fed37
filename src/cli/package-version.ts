import { readFileSync } from 'node:fs';

/** Slipway's version, from package.json (agents report it; the Agents page shows it). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
