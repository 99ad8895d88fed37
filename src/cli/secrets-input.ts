import { readFile } from 'node:fs/promises';
import { ENV_NAME } from '../pipeline/config/schema.js';
import { UsageError } from './usage-error.js';

/** `K=V` pairs from --env/--secret flags; the error names the flag and the bad pair's key only. */
export function parsePairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || !ENV_NAME.test(key)) {
      throw new UsageError(`${flag} expects NAME=VALUE with a shell variable name; got "${key}"`);
    }
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * A dotenv-style secrets file: `NAME=value` per line, `#` comments, optional matching quotes.
 * Errors give file:line but never the value.
 */
export async function readSecretsFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read secrets file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = (eq === -1 ? line : line.slice(0, eq)).replace(/^export\s+/, '').trim();
    if (eq === -1 || !ENV_NAME.test(key)) throw new UsageError(`${path}:${i + 1}: expected NAME=value`);
    let value = line.slice(eq + 1).trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] as string;
    out[key] = value;
  });
  return out;
}
