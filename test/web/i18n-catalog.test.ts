/**
 * The catalogue's texts as data: every module (typed keys and code tables) has the same keys in
 * both languages, each with a real Chinese text that keeps English's placeholders; no key is
 * declared twice (the later module would silently win); every messages module on disk is listed
 * in catalog.ts; and codes from the server fall back to the server's words, never a raw key.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODE_MESSAGES, MESSAGE_MODULES } from '../../web/src/i18n/catalog.js';
import { allMessages, makeT, tCode } from '../../web/src/i18n/index.js';

const WEB_SRC = fileURLToPath(new URL('../../web/src', import.meta.url));

/** Every module's texts by name, code tables under their prefix. */
const MODULES: [
  string,
  { en: Readonly<Record<string, string>>; 'zh-CN': Readonly<Record<string, string>> },
][] = [
  ...Object.entries(MESSAGE_MODULES),
  ...CODE_MESSAGES.map(
    (table) => [`codes:${table.prefix}`, table.texts] as [string, (typeof table)['texts']],
  ),
];

const placeholders = (text: string) => [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('i18n catalogue', () => {
  it('every module has exactly the same keys in English and Chinese', () => {
    const uneven = MODULES.flatMap(([name, texts]) => {
      const en = Object.keys(texts.en).sort();
      const zh = Object.keys(texts['zh-CN']).sort();
      return [
        ...en.filter((k) => !zh.includes(k)).map((k) => `${name}: ${k} has no zh-CN`),
        ...zh.filter((k) => !en.includes(k)).map((k) => `${name}: ${k} has no en`),
      ];
    });
    assert.deepEqual(uneven, []);
  });

  it('every English key has a non-empty Chinese text that is not the key itself', () => {
    const en = allMessages('en');
    const zh = allMessages('zh-CN');
    assert.ok(Object.keys(en).length > 700, `only ${Object.keys(en).length} keys`);
    const bad = Object.keys(en).filter((key) => !zh[key]?.trim() || zh[key] === key || en[key] === key);
    assert.deepEqual(bad, []);
  });

  it('Chinese texts keep the placeholders of the English ones', () => {
    const en = allMessages('en');
    const zh = allMessages('zh-CN');
    const differing = Object.keys(en)
      .filter((key) => placeholders(en[key] ?? '').join() !== placeholders(zh[key] ?? '').join())
      .map((key) => `${key}: en ${placeholders(en[key] ?? '')} zh ${placeholders(zh[key] ?? '')}`);
    assert.deepEqual(differing, []);
  });

  it('no key is declared by two modules', () => {
    const owner = new Map<string, string>();
    const twice: string[] = [];
    for (const [name, texts] of MODULES) {
      for (const key of Object.keys(texts.en)) {
        const full = name.startsWith('codes:') ? `${name.slice('codes:'.length)}.${key}` : key;
        const first = owner.get(full);
        if (first) twice.push(`${full}: ${first} and ${name}`);
        owner.set(full, name);
      }
    }
    assert.deepEqual(twice, []);
  });

  it('every module that declares messages under web/src is listed in catalog.ts', async () => {
    const listed = new Set<unknown>([...Object.values(MESSAGE_MODULES), ...CODE_MESSAGES]);
    const declaring = sourceFiles(WEB_SRC).filter(
      (file) =>
        // catalog.ts declares the base dictionaries (en.ts + zh-CN.ts) in place.
        !/(define-messages|catalog)\.ts$/.test(file) &&
        /\bdefine(Code)?Messages\(/.test(readFileSync(file, 'utf8')),
    );
    assert.ok(declaring.length >= 20, `only ${declaring.length} files declare messages`);
    const missing: string[] = [];
    for (const file of declaring) {
      const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const modules = Object.entries(exports).filter(
        ([, value]) => typeof value === 'object' && value !== null && ('en' in value || 'texts' in value),
      );
      assert.ok(modules.length > 0, `${file} calls defineMessages but exports no module`);
      for (const [name, value] of modules) if (!listed.has(value)) missing.push(`${file}: ${name}`);
    }
    assert.deepEqual(missing, []);
  });

  it('a server code reads in the chosen language, an unknown one in the server’s words', () => {
    const zh = makeT('zh-CN');
    assert.equal(tCode(zh, 'notify.status', 'succeeded', 'succeeded'), '已送达');
    assert.equal(tCode(makeT('en'), 'trigger', 'cron', 'cron'), 'schedule');
    assert.equal(tCode(zh, 'importOutcome', 'approximated', 'approximated'), '近似转换');
    assert.equal(
      tCode(zh, 'signin.error', 'brand_new_code', 'The server’s sentence'),
      'The server’s sentence',
      'an unknown code shows the fallback, not signin.error.brand_new_code',
    );
    assert.equal(
      tCode(zh, 'importReport', 'gitlab.no.such.code', 'gitlab.no.such.code'),
      'gitlab.no.such.code',
    );
  });

  it('t fills placeholders and leaves unknown ones visible', () => {
    const t = makeT('en');
    assert.equal(t('time.ms', { m: 5, s: 49 }), t('time.ms', { m: 5, s: 49, extra: 1 }));
    assert.match(t('time.ms', { m: 5, s: 49 }), /5.*49/);
    // @ts-expect-error the type wants every placeholder; at run time a missing one stays visible
    assert.match(t('time.ms', { m: 5 }), /\{s\}/);
  });
});
