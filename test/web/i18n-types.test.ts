/**
 * A missing translation is a compile error, and so is a `{name}` placeholder left unfilled. The @ts-expect-error lines below are checked by
 * `tsc -p tsconfig.json` (test/ is part of it): if any of them stopped being an error, tsc would
 * fail on the unused directive. The fixture test runs tsc itself on tiny files and reads the
 * errors, so it also proves the message names the offending key.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineMessages } from '../../web/src/i18n/define-messages.js';
import { makeT, type TFunction, tCode } from '../../web/src/i18n/index.js';

const I18N = fileURLToPath(new URL('../../web/src/i18n/', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/lib/tsc.js');

/** Never called: these lines only have to (not) compile. */
export function typeLevelChecks(t: TFunction): string[] {
  const complete = defineMessages({
    en: { 'demo.one': 'One', 'demo.two': 'Two {n}' },
    'zh-CN': { 'demo.one': '一', 'demo.two': '二 {n}' },
  });
  defineMessages({
    en: { 'demo.one': 'One', 'demo.two': 'Two' },
    // @ts-expect-error zh-CN lacks demo.two
    'zh-CN': { 'demo.one': '一' },
  });
  defineMessages({
    en: { 'demo.one': 'One' },
    // @ts-expect-error zh-CN has a key English does not declare
    'zh-CN': { 'demo.one': '一', 'demo.extra': '多' },
  });
  const role = 'admin' as 'admin' | 'maintainer' | 'viewer';
  return [
    complete.en['demo.two'],
    t('common.save'),
    t(`role.${role}`),
    // @ts-expect-error a typo'd key
    t('common.svae'),
    // @ts-expect-error a dynamic key with no declared type is not a MessageKey
    t(`role.${String(role)}`),
    t('apps.trigger.rollback', { n: 3 }),
    // @ts-expect-error a text with {n} needs its value
    t('apps.trigger.rollback'),
    // @ts-expect-error a placeholder of its text is missing ({s})
    t('time.ms', { m: 1 }),
    tCode(t, 'signin.error', 'flow_expired', 'fallback'),
    tCode(t, 'importReport', 'gitlab.rules.if', 'fallback'),
    // @ts-expect-error a prefix no key or code table has
    tCode(t, 'no_such_area', 'x', 'fallback'),
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'slipway-i18n-types-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES: Record<string, string> = {
  'missing-zh.ts': `import { defineMessages } from '${I18N}define-messages.js';
export const m = defineMessages({
  en: { 'fixture.kept': 'Kept', 'fixture.forgotten': 'Forgotten' },
  'zh-CN': { 'fixture.kept': '保留' },
});
`,
  'extra-zh.ts': `import { defineMessages } from '${I18N}define-messages.js';
export const m = defineMessages({
  en: { 'fixture.kept': 'Kept' },
  'zh-CN': { 'fixture.kept': '保留', 'fixture.stray': '多余' },
});
`,
  'unknown-key.ts': `import { makeT } from '${I18N}index.js';
export const text = makeT('zh-CN')('fixture.neverDeclared');
`,
  'missing-var.ts': `import { makeT } from '${I18N}index.js';
export const text = makeT('en')('apps.trigger.rollback');
`,
  'valid.ts': `import { defineMessages } from '${I18N}define-messages.js';
import { makeT } from '${I18N}index.js';
export const m = defineMessages({ en: { 'fixture.kept': 'Kept' }, 'zh-CN': { 'fixture.kept': '保留' } });
export const text = makeT('zh-CN')('common.save');
`,
};

/** tsc's diagnostics grouped by fixture file name (continuation lines joined to their error). */
async function compileFixtures(): Promise<Map<string, string[]>> {
  for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(dir, name), text);
  const args = [
    TSC,
    '--noEmit',
    '--pretty',
    'false',
    '--strict',
    '--skipLibCheck',
    '--target',
    'ES2022',
    '--module',
    'ESNext',
    '--moduleResolution',
    'Bundler',
    '--lib',
    'ES2022,DOM',
    '--types',
    'node',
    ...Object.keys(FIXTURES).map((name) => join(dir, name)),
  ];
  const output = await promisify(execFile)(process.execPath, args, {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  })
    .then((r) => r.stdout)
    .catch((error: { stdout?: string }) => error.stdout ?? String(error));
  const byFile = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.split('\n')) {
    const head = /([\w-]+\.ts)\(\d+,\d+\): error (TS\d+: .*)$/.exec(line);
    if (head?.[1] && head[2]) {
      current = byFile.get(head[1]) ?? [];
      byFile.set(head[1], current);
      current.push(head[2]);
    } else if (current && line.trim() && current.length > 0) {
      current[current.length - 1] += ` ${line.trim()}`;
    }
  }
  return byFile;
}

describe('typed i18n keys', () => {
  it('tsc rejects a missing or extra zh-CN key, an undeclared key (naming the key) and missing vars', async () => {
    const errors = await compileFixtures();
    const missing = (errors.get('missing-zh.ts') ?? []).join('\n');
    assert.match(missing, /fixture\.forgotten/, `missing-zh.ts: ${missing || 'no error'}`);
    const extra = (errors.get('extra-zh.ts') ?? []).join('\n');
    assert.match(extra, /fixture\.stray/, `extra-zh.ts: ${extra || 'no error'}`);
    const unknown = (errors.get('unknown-key.ts') ?? []).join('\n');
    assert.match(unknown, /fixture\.neverDeclared/, `unknown-key.ts: ${unknown || 'no error'}`);
    const noVars = (errors.get('missing-var.ts') ?? []).join('\n');
    assert.match(noVars, /Expected 2 arguments/, `missing-var.ts: ${noVars || 'no error'}`);
    assert.deepEqual(errors.get('valid.ts') ?? [], [], 'the complete fixture compiles');
    assert.deepEqual(
      [...errors.keys()].filter((file) => !(file in FIXTURES)),
      [],
      'no error from the catalogue itself',
    );
  });

  it('the typed lines behave at run time as their types say', () => {
    const texts = typeLevelChecks(makeT('zh-CN'));
    assert.equal(texts[0], 'Two {n}');
    assert.equal(texts[1], '保存');
    assert.ok(texts.slice(1).every((text) => text.length > 0));
  });
});
