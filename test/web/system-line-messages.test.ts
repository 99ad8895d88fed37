/**
 * Issue #14: every system-line code (src/domain/system-line-codes.ts) is shown in English and in
 * Chinese by the log viewer, with its params filled in; lines it cannot say (an unknown code,
 * params that do not fit) show their English text, never a raw key or an empty placeholder.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAILURE_REASONS } from '../../src/domain/reason-codes.js';
import { SYSTEM_LINE_CODES, type SystemLineCode } from '../../src/domain/system-line-codes.js';
import { LANGS, makeT } from '../../web/src/i18n/index.js';
import type { LogLine } from '../../web/src/log/log-source.js';
import { shownText } from '../../web/src/log/system-line-text.js';

const FALLBACK = 'the English line';
/** Params whose value picks the sentence: every value is tried. */
const CHOICES: Record<string, readonly (string | number)[]> = {
  how: ['mounted', 'copied'],
  branch: ['main', ''],
  more: [0, 2],
  cause: ['stopped', 'failed'],
  what: ['memory', 'pids', 'cpus'],
  count: [1, 2],
  reason: FAILURE_REASONS,
};

function samples(code: SystemLineCode): Record<string, string | number>[] {
  const kinds = SYSTEM_LINE_CODES[code] as Record<string, 'string' | 'number'>;
  let out: Record<string, string | number>[] = [{}];
  for (const [name, kind] of Object.entries(kinds)) {
    const values: (string | number)[] =
      !(name === 'reason' && code.startsWith('cache.')) && CHOICES[name]
        ? [...(CHOICES[name] ?? [])]
        : [kind === 'number' ? 1536 : `v-${name}`];
    out = out.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  // The final failure line carries the failure's own params beside its reason.
  if (code === 'job.failed') return out.map((p) => ({ ...p, code: 3, seconds: 90, image: 'alpine:3' }));
  return out;
}

const line = (code: string, params: Record<string, string | number>): LogLine => ({
  n: 1,
  t: 0,
  stream: 'system',
  text: FALLBACK,
  code,
  params,
});

describe('system line texts', () => {
  for (const lang of LANGS) {
    it(`${lang}: every code, with every choice of params, has its own sentence`, () => {
      const t = makeT(lang);
      const bad: string[] = [];
      for (const code of Object.keys(SYSTEM_LINE_CODES) as SystemLineCode[]) {
        for (const params of samples(code)) {
          const text = shownText(line(code, params), t);
          const problem =
            text === FALLBACK
              ? 'fell back'
              : /\{\w+\}|syslog\./.test(text)
                ? 'placeholder or raw key'
                : lang === 'zh-CN' && code !== 'image.pushing' && !/[\u4e00-\u9fff]/.test(text)
                  ? 'no Chinese'
                  : null;
          if (problem) bad.push(`${code} ${JSON.stringify(params)}: ${problem}: ${text}`);
        }
      }
      assert.deepEqual(bad, []);
    });
  }

  it('sizes and durations are formatted for people', () => {
    const zh = makeT('zh-CN');
    const restored = line('cache.restored', { key: 'npm-1', bytes: 411_041_792, ms: 1543, how: 'mounted' });
    assert.equal(shownText(restored, zh), '缓存：已恢复键 npm-1（392 MB，1543 毫秒，写时复制挂载）');
    const summary = line('tests.summary', { passed: 104, failed: 0, skipped: 2 });
    assert.equal(shownText(summary, zh), '[slipway] 测试：104 个通过，0 个失败，2 个跳过');
    const timeout = line('after_script.timeout', { ms: 300_000 });
    assert.match(shownText(timeout, makeT('en')), /timed out after 5 min/);
  });

  it("the job's final failure line uses the run page's failure sentences", () => {
    const zh = makeT('zh-CN');
    const exit = line('job.failed', {
      reason: 'exit_code',
      message: 'job "unit" exited with code 3',
      code: 3,
    });
    assert.equal(shownText(exit, zh), '[slipway] 任务失败：脚本以退出码 3 结束。');
    assert.equal(shownText(exit, makeT('en')), '[slipway] Job failed: The script exited with code 3.');
    const timeout = line('job.failed', { reason: 'timeout', message: 'timed out', seconds: 90 });
    assert.equal(shownText(timeout, zh), '[slipway] 任务失败：运行超过 1 分钟 30 秒，已超时终止。');
    // A stored row without the exit code, or a reason from a newer agent: the English text.
    assert.equal(shownText(line('job.failed', { reason: 'exit_code', message: 'm' }), zh), FALLBACK);
    assert.equal(shownText(line('job.failed', { reason: 'quantum_flux', message: 'm' }), zh), FALLBACK);
  });

  it('unknown codes, missing params and job output show the line as sent', () => {
    const zh = makeT('zh-CN');
    assert.equal(shownText(line('cache.from_the_future', { key: 'k' }), zh), FALLBACK);
    assert.equal(shownText(line('cache.saved', { key: 'k' }), zh), FALLBACK);
    assert.equal(
      shownText(line('cache.restored', { key: 'k', bytes: 1, ms: 1, how: 'teleported' }), zh),
      FALLBACK,
    );
    assert.equal(shownText(line('tests.summary', { passed: 1, failed: 0 }), zh), FALLBACK);
    assert.equal(
      shownText({ ...line('tests.summary', { passed: 1, failed: 0, skipped: 0 }), stream: 'stdout' }, zh),
      FALLBACK,
    );
    assert.equal(shownText({ n: 1, t: 0, stream: 'system', text: 'plain' }, zh), 'plain');
  });
});
