/** The log viewer's ANSI handling: only SGR styling survives, every other escape and all markup is inert text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepOnlySgr, parseAnsiLine, plainText } from '../../web/src/log/ansi.js';

const E = '\u001b';
const text = (line: string) =>
  parseAnsiLine(line)
    .map((s) => s.text)
    .join('');

describe('parseAnsiLine', () => {
  test('HTML in a log is plain text, styled or not', () => {
    const xss = '<img src=x onerror=alert(1)>';
    assert.deepEqual(parseAnsiLine(xss), [{ text: xss }]);
    const spans = parseAnsiLine(`${E}[31m${xss}${E}[0m <script>alert(2)</script>`);
    assert.equal(spans.map((s) => s.text).join(''), `${xss} <script>alert(2)</script>`);
    assert.equal(spans[0]?.fg, 'rgb(187, 0, 0)');
    // Anser's JSON mode must not HTML-escape either: the text node shows exactly the bytes.
    assert.equal(text('a & b < c'), 'a & b < c');
  });

  test('basic colours, bold, italic and underline are kept', () => {
    const spans = parseAnsiLine(`${E}[32;1mok${E}[0m ${E}[3;4mnote${E}[0m`);
    assert.deepEqual(spans[0], { text: 'ok', fg: 'rgb(0, 187, 0)', bold: true });
    assert.deepEqual(spans.at(-1), { text: 'note', italic: true, underline: true });
  });

  test('256-colour and truecolour foreground and background', () => {
    const [a, b] = parseAnsiLine(`${E}[38;5;208morange${E}[0m${E}[38;2;10;20;30;48;2;200;100;50mtc`);
    assert.deepEqual(a, { text: 'orange', fg: 'rgb(255, 135, 0)' });
    assert.deepEqual(b, { text: 'tc', fg: 'rgb(10, 20, 30)', bg: 'rgb(200, 100, 50)' });
  });

  test('OSC 8 hyperlinks keep their text and lose the link', () => {
    const line = `see ${E}]8;;javascript:alert(1)${E}\\the docs${E}]8;;${E}\\ now`;
    assert.equal(text(line), 'see the docs now');
    const bel = `${E}]8;id=1;https://evil.example\u0007click${E}]8;;\u0007`;
    assert.equal(text(bel), 'click');
  });

  test('window titles and OSC 52 clipboard writes are dropped', () => {
    assert.equal(text(`${E}]0;pwned title\u0007build ok`), 'build ok');
    assert.equal(text(`${E}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007after`), 'after');
    assert.equal(text(`\u009d52;c;Zm9v\u009cC1 form`), 'C1 form');
    assert.equal(text(`${E}P+q544e${E}\\dcs gone`), 'dcs gone');
  });

  test('cursor moves, erases and other non-SGR escapes are removed', () => {
    assert.equal(text(`a${E}[2Jb${E}[10;20Hc${E}[?25ld${E}[Ke${E}(Bf${E}7g${E}8`), 'abcdefg');
  });

  test('malformed escapes never leak ESC or control bytes', () => {
    for (const line of [
      `${E}[38;5mx`,
      `${E}[38;2;1my`,
      `${E}[999mz`,
      `${E}[12`,
      `${E}]8;;unterminated link text`,
      `tail${E}`,
      `${E}[;;;m${E}[mq`,
      `bell\u0007 back\u0008space nul\u0000`,
    ]) {
      const out = text(line);
      assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(line));
    }
    assert.equal(text(`${E}[999mz`), 'z');
    assert.equal(text(`${E}[12`), '');
    assert.equal(text(`tail${E}`), 'tail');
  });

  test('colour values that are not numbers never reach CSS', () => {
    for (const span of parseAnsiLine(`${E}[38;2;999;0;0mx${E}[48;5;300my`)) {
      for (const c of [span.fg, span.bg]) if (c) assert.match(c, /^rgb\(\d{1,3}, \d{1,3}, \d{1,3}\)$/);
    }
  });

  test('a carriage return shows what the terminal would: the last overwrite', () => {
    assert.equal(text('10%\r50%\r100%'), '100%');
    assert.equal(text('done\r'), 'done');
  });

  test('an empty line has no spans; plainText matches the parsed text', () => {
    assert.deepEqual(parseAnsiLine(''), []);
    const line = `${E}[1m$ echo ${E}]0;t\u0007hi${E}[0m ${E}[2K<b>`;
    assert.equal(plainText(line), text(line));
    assert.equal(keepOnlySgr(line), `${E}[1m$ echo hi${E}[0m <b>`);
  });
});
