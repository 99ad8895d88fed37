import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml } from '../../src/pipeline/config/parse-yaml.js';

const parse = (text: string, budgets = {}) => parseYaml(text, 'f.yml', budgets);
const codes = (text: string, budgets = {}) => parse(text, budgets).diagnostics.map((d) => d.code);
const first = (text: string, budgets = {}) => {
  const d = parse(text, budgets).diagnostics[0];
  assert.ok(d, 'expected a diagnostic');
  return d;
};

/** Nine anchors, each a list of nine aliases of the one before: 9^9 values when expanded. */
function billionLaughs(): string {
  const names = 'abcdefghi';
  let text = `a: &a [${Array(9).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i < names.length; i++) {
    text += `${names[i]}: &${names[i]} [${Array(9)
      .fill(`*${names[i - 1]}`)
      .join(', ')}]\n`;
  }
  return text;
}

describe('parseYaml', () => {
  it('returns the plain value of a valid document', () => {
    const r = parse('a: 1\nb: [x, "y"]\nc: { d: true }\ne: !!str 12\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.value, { a: 1, b: ['x', 'y'], c: { d: true }, e: '12' });
  });

  it('keeps YAML 1.2 core scalars: yes/on are strings', () => {
    assert.deepEqual(parse('a: yes\nb: on\nc: 010\n').value, { a: 'yes', b: 'on', c: 10 });
  });

  it('expands a few aliases', () => {
    const r = parse('base: &b { image: x }\nother: *b\n');
    assert.deepEqual(r.value, { base: { image: 'x' }, other: { image: 'x' } });
  });

  it('refuses a 10 MB file before parsing it', () => {
    const d = first('a'.repeat(10 * 1024 * 1024));
    assert.equal(d.code, 'file-too-large');
    assert.equal(d.line, 1);
    assert.equal(d.col, 1);
    assert.match(d.message, /10 MiB/);
  });

  it('counts bytes, not characters, against the size limit', () => {
    assert.deepEqual(codes('a: ééé\n', { maxBytes: 8 }), ['file-too-large']);
    assert.deepEqual(codes('a: eee\n', { maxBytes: 8 }), []);
  });

  it('refuses a billion-laughs alias bomb', () => {
    const r = parse(billionLaughs());
    assert.equal(r.value, undefined);
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0]!;
    assert.equal(d.code, 'yaml-alias-limit');
    // Stopped at the first alias that pushes the expansion over the budget: the first *e.
    assert.equal(d.line, 6);
    assert.equal(d.col, 8);
  });

  it('refuses many aliases of an empty list (the library counts those as free)', () => {
    const d = first(`e: &e []\nl: [${Array(20_000).fill('*e').join(', ')}]\n`);
    assert.equal(d.code, 'yaml-alias-limit');
    assert.equal(d.line, 2);
  });

  it('honours maxAliasCount', () => {
    const text = 'a: &a 1\nb: [*a, *a, *a]\n';
    assert.deepEqual(codes(text, { maxAliasCount: 3 }), []);
    const d = first(text, { maxAliasCount: 2 });
    assert.equal(d.code, 'yaml-alias-limit');
    assert.equal(d.line, 2);
    assert.equal(d.col, 13);
  });

  it('refuses an alias inside the node it names', () => {
    const d = first('a: &a [1, *a]\n');
    assert.equal(d.code, 'yaml-alias-limit');
    assert.equal(d.line, 1);
    assert.equal(d.col, 11);
  });

  it('reports an alias without an anchor', () => {
    const d = first('a: 1\nb: *nope\n');
    assert.equal(d.code, 'yaml-syntax');
    assert.equal(d.line, 2);
    assert.equal(d.col, 4);
  });

  it('refuses deep nesting before composing', () => {
    const d = first(`a:\n  b: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    assert.equal(d.code, 'yaml-too-deep');
    assert.equal(d.line, 2);
    // The root map and `b`'s map are levels 1 and 2; the 63rd `[` is level 65.
    assert.equal(d.col, 6 + 62);
  });

  it('refuses deep block nesting', () => {
    const text = `${Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x\n`;
    const d = first(text);
    assert.equal(d.code, 'yaml-too-deep');
    assert.equal(d.line, 65);
    assert.equal(d.col, 65);
  });

  it('refuses a megabyte of `[` without overflowing the stack', () => {
    assert.deepEqual(codes('['.repeat(1024 * 1024 - 1)), ['yaml-too-deep']);
  });

  it('refuses deep block sequences the raw scan takes for scalar text, without overflowing the stack', () => {
    // Found by the property test (seed -1566819726): after a top-level plain scalar the raw scan
    // reads the following lines as its text, while the library's parser nests the `- ` chain.
    const text = `\u0000\na: 1\na: 2\n${'- '.repeat(20_000)}\n+\`x`;
    assert.deepEqual(codes(text), ['yaml-too-deep']);
  });

  it('refuses nesting that only aliases make deep', () => {
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    const d = first(`a: &a ${deep}\nb: ${'['.repeat(30)}*a${']'.repeat(30)}\n`);
    assert.equal(d.code, 'yaml-too-deep');
    assert.equal(d.line, 2);
    assert.equal(d.col, 34);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const d = first('a: 1\nb:\n  c: 1\n  c: 2\n');
    assert.equal(d.code, 'yaml-duplicate-key');
    assert.equal(d.line, 4);
    assert.equal(d.col, 3);
    assert.match(d.message, /"c".*line 3/);
  });

  it('treats 1 and "1" as the same key, as the parsed value would', () => {
    const d = first('1: a\n"1": b\n');
    assert.equal(d.code, 'yaml-duplicate-key');
    assert.equal(d.line, 2);
  });

  it('refuses custom tags, pointing at the tag', () => {
    const d = first('a: 1\nb: !secret token\n');
    assert.equal(d.code, 'yaml-custom-tag');
    assert.equal(d.line, 2);
    assert.equal(d.col, 4);
    assert.match(d.message, /!secret/);
  });

  it('refuses YAML 1.1 tags such as !!binary and !!set', () => {
    assert.deepEqual(codes('a: !!binary aGk=\nb: !!set { x }\n'), ['yaml-custom-tag', 'yaml-custom-tag']);
  });

  it('refuses a core tag on the wrong kind of value', () => {
    const d = first('a: 1\nb: !!int abc\n');
    assert.equal(d.code, 'yaml-custom-tag');
    assert.equal(d.line, 2);
    assert.equal(d.col, 4);
    assert.match(d.message, /!!int does not fit/);
    assert.deepEqual(codes('a: !!map 1\nb: !foo x\n'), ['yaml-custom-tag', 'yaml-custom-tag']);
  });

  it('refuses collections as keys', () => {
    const d = first('a: 1\n? [x, y]\n: 2\n');
    assert.equal(d.code, 'yaml-complex-key');
    assert.equal(d.line, 2);
    assert.equal(d.col, 3);
  });

  it('reports syntax errors with their position', () => {
    const d = first('a: 1\nb:\n\t- x\n');
    assert.equal(d.code, 'yaml-syntax');
    assert.equal(d.line, 3);
    assert.equal(d.col, 1);
    const compact = first('a: b: c\n');
    assert.equal(compact.code, 'yaml-syntax');
    assert.equal(compact.line, 1);
    assert.equal(compact.col, 4);
  });

  it('refuses a second document', () => {
    const d = first('a: 1\n---\nb: 2\n');
    assert.equal(d.code, 'yaml-multiple-documents');
    assert.equal(d.line, 2);
    assert.equal(d.col, 1);
  });

  it('gives null for an empty file', () => {
    const r = parse('# only a comment\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.value, null);
  });
});

describe('parseYaml: keys', () => {
  it('resolves an alias used as a key, and sees it collide', () => {
    const ok = parse('- &k name: 1\n- *k : 2\n');
    assert.deepEqual(ok.diagnostics, []);
    assert.deepEqual(ok.value, [{ name: 1 }, { name: 2 }]);
    const d = first('&k name: 1\n*k : 2\n');
    assert.equal(d.code, 'yaml-duplicate-key');
    assert.equal(d.line, 2);
    assert.equal(d.col, 1);
  });

  it('refuses a tag on a key', () => {
    const d = first('a: 1\n!weird b: 2\n');
    assert.equal(d.code, 'yaml-custom-tag');
    assert.equal(d.line, 2);
    assert.equal(d.col, 1);
  });
});
