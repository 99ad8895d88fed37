/** The UI's Intl helper: relative ages and clocks in the chosen language, not the machine's. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatAgo } from '../../web/src/i18n/format.js';
import {
  formatClock,
  formatDate,
  formatDateHour,
  formatDateTime,
  formatDayUtc,
  relativeTime,
} from '../../web/src/i18n/intl-time.js';

const NOW = Date.UTC(2026, 11, 5, 10, 0, 0);
const ago = (seconds: number) => NOW - seconds * 1000;

test('relative ages are rounded to the unit people use, in English and Chinese', () => {
  assert.deepEqual(relativeTime(ago(10), NOW, 'en'), { text: 'now', unit: 'now' });
  assert.deepEqual(relativeTime(ago(10), NOW, 'zh-CN'), { text: '现在', unit: 'now' });
  assert.deepEqual(relativeTime(ago(5 * 60), NOW, 'en'), { text: '5 minutes ago', unit: 'minute' });
  assert.deepEqual(relativeTime(ago(62 * 60), NOW, 'en'), { text: '1 hour ago', unit: 'hour' });
  assert.deepEqual(relativeTime(ago(62 * 60), NOW, 'zh-CN'), { text: '1小时前', unit: 'hour' });
  // 55 minutes reads as "1 hour": past 90% of a unit, the bigger unit wins.
  assert.equal(relativeTime(ago(55 * 60), NOW, 'en').unit, 'hour');
  assert.equal(relativeTime(ago(3 * 86400), NOW, 'en').text, '3 days ago');
  assert.equal(relativeTime(ago(400 * 86400), NOW, 'zh-CN').text, '去年');
  // A time in the future (clock skew) is said as such, not as "ago".
  assert.equal(relativeTime(NOW + 2 * 3600_000, NOW, 'en').text, 'in 2 hours');
});

test('clocks tick in minutes:seconds, hours when needed; dates follow the UI language', () => {
  assert.equal(formatClock(0), '0:00');
  assert.equal(formatClock(65_400), '1:05');
  assert.equal(formatClock(3_723_000), '1:02:03');
  assert.equal(formatClock(-5), '0:00');
  assert.match(formatDateTime(NOW, 'en'), /Dec 5, 2026/);
  assert.match(formatDateTime(NOW, 'zh-CN'), /2026年12月5日/);
});

test('dates alone, chart buckets and week starts follow the UI language too', () => {
  assert.match(formatDate(NOW, 'en'), /^Dec \d{1,2}, 2026$/);
  assert.match(formatDate(NOW, 'zh-CN'), /^2026年12月\d{1,2}日$/);
  assert.match(formatDateHour(NOW, 'en'), /^Dec \d{1,2}, \d{1,2}\s?[AP]M$/);
  assert.match(formatDateHour(NOW, 'zh-CN'), /^12月\d{1,2}日 \S*\d{1,2}时$/);
  // A week starting at UTC midnight is that day whatever the reader's zone.
  const monday = Date.UTC(2026, 10, 30);
  assert.equal(formatDayUtc(monday, 'en'), 'Nov 30');
  assert.equal(formatDayUtc(monday, 'zh-CN'), '11月30日');
  assert.equal(formatAgo(ago(3 * 3600), NOW, 'zh-CN'), '3小时前');
});

test('no page formats a date or time outside the Intl helpers', () => {
  const webSrc = fileURLToPath(new URL('../../web/src', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
    );
  // toLocale*String() without a language follows the browser, not the UI; get* pieces are hand-made.
  const handMade = /\.toLocale(Date|Time)?String\(|\.get(Hours|Minutes|Date|Month|FullYear|Day)\(\)/;
  const offending = files(webSrc).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (handMade.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
  assert.deepEqual(offending, []);
});
