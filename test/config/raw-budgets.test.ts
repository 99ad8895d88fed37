/**
 * The raw-text scan (raw-budgets.ts): it counts block and flow levels like the CST check,
 * finds the same spot on the usual shapes, ignores brackets that are text, and never counts more
 * levels than a document really has (it may count fewer; the CST check is the precise one).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseYaml } from '../../src/pipeline/config/parse-yaml.js';
import { findTooDeep, scanRawYaml } from '../../src/pipeline/config/raw-budgets.js';

/** Levels of collections in a plain value, the way parse-yaml counts them. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object')
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('findTooDeep', () => {
  it('counts flow levels, stopping at the first one over the budget', () => {
    assert.equal(findTooDeep('['.repeat(10), 3), 3);
    assert.equal(findTooDeep('[[[]]]', 3), null);
    assert.equal(findTooDeep('a:\n  b: [[[[]]]]\n', 5), 11, 'two block levels, then the 4th `[`');
    assert.equal(findTooDeep('{a: [{b: [1]}]}', 3), 9);
  });

  it('counts block levels: indentation and compact `- - -` / `- key:`', () => {
    assert.equal(findTooDeep('- - - - x\n', 3), 6);
    assert.equal(findTooDeep('- - - x\n', 3), null);
    assert.equal(findTooDeep('a:\n  b:\n    c:\n      d: 1\n', 3), 21);
    assert.equal(findTooDeep('- a:\n    - b: 1\n', 3), 11);
    assert.equal(findTooDeep('- a:\n    - b: 1\n', 4), null);
  });

  it('does not count brackets that are text: quoted, plain, commented, block scalars', () => {
    const text = [
      'a: "[[[[[["',
      "b: '{{{{{{'",
      'c: x[[[[[[y',
      'd: [ "]]]]", \'[[[[\', p q ] # [[[[[[',
      'e: |',
      '  [[[[[[[[',
      '    - - - - - -',
      'f: >-',
      '  {{{{{{{{',
      'g: plain text',
      '  - - - - - - continued',
      '# [[[[[[[[',
      '',
    ].join('\n');
    assert.equal(findTooDeep(text, 2), null);
    assert.deepEqual(parseYaml(text, 'x.yml').diagnostics, []);
  });

  it("sees through a quote inside plain flow text (`[a'` does not hide the brackets after it)", () => {
    assert.notEqual(findTooDeep(`[a'${'['.repeat(100)}`, 64), null);
    assert.notEqual(findTooDeep(`[a:'b', ${'['.repeat(100)}`, 64), null);
  });

  it('follows flow collections and quoted keys across lines', () => {
    assert.equal(findTooDeep('a: [\n  [\n    [1]\n  ]\n]\n', 3), 13);
    assert.equal(findTooDeep('"k\n  x": [[[1]]]\n', 3), 11);
    assert.equal(findTooDeep('[a]: [[[1]]]\n', 2), 6);
  });

  it('starts over at a new document', () => {
    assert.equal(findTooDeep('- - x\n---\n- - y\n', 2), null);
  });

  it('counts values (entries, keys, scalars, flow items) and aliases', () => {
    const budgets = { maxDepth: 64, maxNodes: 5, maxAliases: 2 };
    // `- `, a, `- `, b, `- `, then c is the sixth.
    assert.deepEqual(scanRawYaml('- a\n- b\n- c\n', budgets), { budget: 'nodes', offset: 10 });
    // The list is one value, each comma starts another: the sixth starts at the fifth comma.
    assert.deepEqual(scanRawYaml('[1, 2, 3, 4, 5, 6]', budgets), { budget: 'nodes', offset: 14 });
    const aliases = 'a: &x 1\nb: [*x, *x]\nc: *x\n';
    assert.deepEqual(scanRawYaml(aliases, { ...budgets, maxNodes: 100 }), {
      budget: 'aliases',
      offset: aliases.lastIndexOf('*x'),
    });
    assert.equal(
      scanRawYaml('a: "*x"\nb: x*y\nc: [a*b]\n', { ...budgets, maxAliases: 0, maxNodes: 100 }),
      null,
    );
  });

  it('refuses through parseYaml with a positioned diagnostic per budget', () => {
    const d = parseYaml('- a\n- b\n- c\n', 'x.yml', { maxValues: 5 }).diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, x.line, x.col]),
      [['yaml-too-many-values', 3, 3]],
    );
    const a = parseYaml('a: &x 1\nb: [*x, *x]\nc: *x\n', 'x.yml', { maxAliasCount: 2 }).diagnostics;
    assert.deepEqual(
      a.map((x) => [x.code, x.line, x.col]),
      [['yaml-alias-limit', 3, 4]],
    );
  });

  it('accepts the full example config', () => {
    const text = readFileSync(new URL('../fixtures/configs/full.yml', import.meta.url), 'utf8');
    assert.equal(findTooDeep(text, 64), null);
  });

  it('never counts more levels than a document has, in block or flow style', () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('a: b', '- x', '[x]', '{y}', "it's", '"q"', '#c', '|', '> z'),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const options = fc.record({
      collectionStyle: fc.constantFrom<'any' | 'block' | 'flow'>('any', 'block', 'flow'),
      indent: fc.integer({ min: 1, max: 4 }),
      indentSeq: fc.boolean(),
    });
    fc.assert(
      fc.property(value, options, (v, opts) => {
        const text = stringify(v, { ...opts });
        const depth = depthOf(v);
        // Exactly as deep as the budget: allowed. The CST check agrees the text is fine.
        assert.equal(findTooDeep(text, Math.max(depth, 1)), null, text);
        // (The library's own output is not always YAML it reads back: only depth matters here.)
        const { diagnostics } = parseYaml(text, 'x.yml', { maxDepth: Math.max(depth, 1) });
        assert.ok(!diagnostics.some((d) => d.code === 'yaml-too-deep'), text);
      }),
      { numRuns: 300 },
    );
  });
});
