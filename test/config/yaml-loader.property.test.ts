/**
 * Property tests of the YAML loader against random and hostile texts: whatever arrives in a
 * push, loadConfig answers with a config or typed diagnostics — it never throws, never hangs,
 * and stays inside a memory budget. The budget is behavioural: the 1 MB hostile inputs are
 * parsed by a worker whose heap is capped well below what an unbounded parse would need, and
 * they complete with the expected diagnostic.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { type LoadResult, loadConfig } from '../../src/pipeline/config/load-config.js';
import { ConfigLoader } from '../../src/server/runs/config-loader.js';

const MB = 1024 * 1024;

/** The shape every answer must have, whatever the input. */
function assertTyped(result: LoadResult, text: string): void {
  const where = JSON.stringify(text.slice(0, 120));
  assert.ok(Array.isArray(result.diagnostics), where);
  for (const d of result.diagnostics) {
    assert.match(d.code, /^[a-z][a-z0-9-]*$/, where);
    assert.ok(d.severity === 'error' || d.severity === 'warning', where);
    assert.ok(typeof d.message === 'string' && d.message.length > 0, where);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `${where}: line ${d.line}`);
    assert.ok(Number.isInteger(d.col) && d.col >= 1, `${where}: col ${d.col}`);
    assert.equal(typeof d.path, 'string');
  }
  const errors = result.diagnostics.some((d) => d.severity === 'error');
  assert.equal(result.config === null, errors, `${where}: a config exactly when there is no error`);
}

/** Pieces hostile files are made of; the generator strings them together at random. */
const hostilePiece = fc.oneof(
  fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '{a: '.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '- '.repeat(n)),
  fc
    .integer({ min: 1, max: 200 })
    .map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n')),
  fc
    .integer({ min: 1, max: 400 })
    .map((n) =>
      Array.from(
        { length: n },
        (_, i) => `a${i}: &a${i} [*a${Math.max(i - 1, 0)}, *a${Math.max(0, i - 1)}]`,
      ).join('\n'),
    ),
  fc.constantFrom('&a [*a]', '*missing', 'a: &x 1\nb: *x\n', '? [a]\n: b', 'a: 1\na: 2'),
  fc.integer({ min: 1, max: 200_000 }).map((n) => `s: ${'x'.repeat(n)}`),
  fc.constantFrom(
    '!foo x',
    '!!binary aGk=',
    '!<tag:evil.example,2000:x> y',
    '%TAG !e! tag:e,2000:\n---\n!e!x 1',
    '!!int abc',
  ),
  fc.constantFrom(
    '---\n',
    '...\n',
    '"unterminated',
    "'open",
    '|\n  block',
    '>-\n folded',
    '\t',
    '\r\n',
    '\u0000',
    '\uFEFF',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
);

describe('the YAML loader under random and hostile input', () => {
  const loader = new ConfigLoader({ inlineChars: 0, maxHeapMb: 96 });
  after(() => loader.close());

  test('random text: typed diagnostics or a config, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        assertTyped(loadConfig(text, '.slipway.yml'), text);
      }),
      { numRuns: 300 },
    );
  });

  test('hostile compositions: nesting, aliases, huge scalars, tags, bytes — never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(hostilePiece, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('\n', ' ', ''),
        (pieces, sep) => {
          const text = pieces.join(sep);
          assertTyped(loadConfig(text, '.slipway.yml'), text);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('YAML-shaped random documents (valid syntax, random content): never a throw', () => {
    const key = fc.constantFrom('version', 'image', 'stages', 'name', 'jobs', 'script', 'env', 'needs', 'x');
    const doc = fc.dictionary(key, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 });
    fc.assert(
      fc.property(doc, (value) => {
        const text = JSON.stringify(value);
        assertTyped(loadConfig(text, '.slipway.yml'), text);
      }),
      { numRuns: 200 },
    );
  });

  const hostileMegabytes: [string, string, string][] = [
    ['a megabyte of `[`', '['.repeat(MB - 1), 'yaml-too-deep'],
    ['a megabyte of `- `', '- '.repeat(MB / 2 - 1), 'yaml-too-deep'],
    ['a megabyte of `{a: `', '{a: '.repeat(MB / 4 - 1), 'yaml-too-deep'],
    [
      'an alias bomb',
      `a: &a [x]\n${Array.from({ length: 30_000 }, (_, i) => `b${i}: &b${i} [*a, *a, *a]`).join('\n')}`.slice(
        0,
        MB - 1,
      ),
      'yaml-alias-limit',
    ],
    ['a megabyte scalar', `s: ${'x'.repeat(MB - 10)}`, 'unknown-key'],
    ['a megabyte of tagged values', '- !evil x\n'.repeat(MB / 10 - 1), 'yaml-too-many-values'],
    ['a megabyte custom-tagged scalar', `s: !evil ${'x'.repeat(MB - 20)}`, 'yaml-custom-tag'],
    ['a megabyte of small values', `${'k: [1, 2]\n'.repeat(MB / 12)}`, 'yaml-too-many-values'],
    ['just over the size limit', 'x'.repeat(MB + 1), 'file-too-large'],
  ];
  for (const [name, text, code] of hostileMegabytes) {
    test(`${name}: completes within a 96 MiB heap with ${code}`, async () => {
      const result = await loader.load(text, '.slipway.yml');
      assertTyped(result, text);
      assert.ok(
        result.diagnostics.some((d) => d.code === code),
        result.diagnostics.map((d) => d.code).join(', '),
      );
    });
  }
});
