/**
 * The UI's texts against docs/glossary.zh-CN.md: every key exists in both languages, no Chinese
 * text uses a word the glossary rules out, and the agent is always 执行器 (代理 is the proxy).
 * The message files are found on disk, so a new page's texts are checked without listing them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allMessages } from '../../web/src/i18n/index.js';

const WEB_SRC = fileURLToPath(new URL('../../web/src', import.meta.url));
/** Words docs/glossary.zh-CN.md says never to use, with the word to use instead. */
const RULED_OUT: Record<string, string> = {
  作业: '任务',
  回退: '回滚',
  管道: '流水线',
  管线: '流水线',
  构建记录: '执行记录',
  产物: '制品',
  应用程序: '应用',
  注册表: '镜像仓库',
  代理程序: '执行器',
};

const SOURCE_DIRS = [WEB_SRC, fileURLToPath(new URL('../../src/import', import.meta.url))];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

function messageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return messageFiles(path);
    return /messages\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('zh-CN texts follow the glossary', () => {
  before(async () => {
    for (const file of messageFiles(WEB_SRC)) await import(pathToFileURL(file).href);
  });

  it('every key has both an English and a Chinese text', () => {
    const en = allMessages('en');
    const zh = allMessages('zh-CN');
    assert.ok(Object.keys(en).length > 300, `only ${Object.keys(en).length} keys found`);
    const noZh = Object.keys(en).filter((k) => !zh[k]?.trim());
    const noEn = Object.keys(zh).filter((k) => !en[k]?.trim());
    assert.deepEqual(noZh, [], 'keys without a Chinese text');
    assert.deepEqual(noEn, [], 'keys without an English text');
  });

  it('no Chinese text anywhere in the UI or the importer uses a word the glossary rules out', () => {
    // Source text, not only the registered messages: some pages register their texts inline.
    const offending = SOURCE_DIRS.flatMap(sourceFiles).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          Object.entries(RULED_OUT)
            .filter(([word]) => line.includes(word))
            .map(([word, instead]) => `${file}:${i + 1}: "${word}" → "${instead}"`),
        ),
    );
    assert.deepEqual(offending, []);
  });

  it('texts about agents say 执行器, never 代理', () => {
    const en = allMessages('en');
    const offending = Object.entries(allMessages('zh-CN'))
      .filter(
        ([key, text]) =>
          /\bagents?\b/i.test(en[key] ?? '') && !/proxy/i.test(en[key] ?? '') && text.includes('代理'),
      )
      .map(([key, text]) => `${key}: ${text}`);
    assert.deepEqual(offending, []);
  });
});
