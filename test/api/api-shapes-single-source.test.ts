/**
 * The HTTP shapes live once, in src/api (issue #14): the server's routes validate and document
 * them, the web UI and the CLI import their inferred types. These source checks fail when a
 * hand-copied shape comes back — a web or CLI file declaring a type named like an src/api export,
 * web/src/api/types.ts taking shapes from anywhere but src/api and src/domain, or any web file
 * importing server code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const repo = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry) ? [path] : [];
  });
}

/** Names of the types src/api exports (`export type X =`, `export interface X`, `export type { X }`). */
export function apiTypeNames(files: { text: string }[]): Set<string> {
  const names = new Set<string>();
  for (const { text } of files) {
    for (const m of text.matchAll(/export\s+(?:type|interface)\s+([A-Z]\w*)/g)) names.add(m[1] as string);
    for (const m of text.matchAll(/export\s+type\s*\{([^}]*)\}/g)) {
      for (const part of (m[1] as string).split(',')) {
        const name = part
          .trim()
          .split(/\s+as\s+/)
          .pop();
        if (name) names.add(name);
      }
    }
  }
  return names;
}

/** `interface X` / `type X =` declarations in a file whose names are src/api exports. */
export function copiedDeclarations(text: string, names: Set<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:export\s+)?(?:interface\s+([A-Z]\w*)|type\s+([A-Z]\w*)\s*(?:<[^=]*>)?\s*=)/g,
  )) {
    const name = (m[1] ?? m[2]) as string;
    if (names.has(name)) found.push(name);
  }
  return found;
}

/** Relative module specifiers of a file's import/export-from statements. */
function importedPaths(text: string): string[] {
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => m[1] as string);
}

const apiFiles = sources(join(repo, 'src', 'api')).map((path) => ({
  path,
  text: readFileSync(path, 'utf8'),
}));
const names = apiTypeNames(apiFiles);

test('src/api exports the shapes the web UI and the CLI read', () => {
  for (const name of [
    'ProjectJson',
    'ProjectListItem',
    'RunSummary',
    'ReleaseJson',
    'ApplicationJson',
    'Me',
  ]) {
    assert.ok(names.has(name), `src/api exports ${name}`);
  }
});

test('no web or CLI file declares a type named like an src/api shape', () => {
  const clientFiles = [...sources(join(repo, 'web', 'src')), ...sources(join(repo, 'src', 'cli'))];
  const copies = clientFiles.flatMap((path) =>
    copiedDeclarations(readFileSync(path, 'utf8'), names).map(
      (name) => `${relative(repo, path)} declares ${name}: import it from src/api instead`,
    ),
  );
  assert.deepEqual(copies, []);
});

test('web/src/api/types.ts takes its shapes from src/api and src/domain only', () => {
  const file = join(repo, 'web', 'src', 'api', 'types.ts');
  const text = readFileSync(file, 'utf8');
  const outside = importedPaths(text)
    .map((spec) => relative(repo, resolve(join(repo, 'web', 'src', 'api'), spec)))
    .filter((path) => !path.startsWith('src/api/') && !path.startsWith('src/domain/'));
  assert.deepEqual(outside, []);
  // Type-only: Vite must not bundle zod or the schemas.
  const valueImports = [
    ...text.matchAll(/(?:^|\n)(?:import|export)\s+(?!type\b)[^;]*?from\s+['"]\.[^'"]+['"]/g),
  ];
  assert.deepEqual(
    valueImports.map((m) => m[0].trim()),
    [],
  );
});

test('the checks catch a hand-copied shape (they can fail)', () => {
  const copy =
    'interface Row { a: string }\nexport interface ProjectJson {\n  name: string;\n}\ntype Me = { user: string };\n';
  assert.deepEqual(copiedDeclarations(copy, names), ['ProjectJson', 'Me']);
  assert.deepEqual([...apiTypeNames([{ text: "export type { A as B, C } from './x.js';" }])].sort(), [
    'B',
    'C',
  ]);
});

test('no web file imports server code: what the UI reads comes from src/api or src/domain', () => {
  const offending = sources(join(repo, 'web', 'src')).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        /from\s+'[./]*src\/server\//.test(line) ? [`${relative(repo, file)}:${i + 1}: ${line.trim()}`] : [],
      ),
  );
  assert.deepEqual(offending, []);
});
