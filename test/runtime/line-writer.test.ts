import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLine } from '../../src/domain/log-line.js';
import { LineWriter, type LineWriterOptions } from '../../src/runtime/line-writer.js';
import { MASK, SecretMasker } from '../../src/runtime/secret-masker.js';

const SECRET = 's3cr3t-Value-42';

function setup(secrets: string[] = [], options: Partial<LineWriterOptions> = {}) {
  const lines: LogLine[] = [];
  const writer = new LineWriter({
    masker: new SecretMasker(secrets),
    onLine: (line) => lines.push(line),
    now: () => 1000,
    ...options,
  });
  const texts = (stream?: string) => lines.filter((l) => !stream || l.stream === stream).map((l) => l.text);
  return { writer, lines, texts };
}

const buf = (s: string) => Buffer.from(s);

describe('LineWriter', () => {
  it('splits chunks into lines, numbering from 1 across stdout, stderr and system', () => {
    const { writer, lines } = setup();
    writer.write('stdout', buf('one\ntw'));
    writer.write('stderr', buf('err1\n'));
    writer.system('[slipway] hello');
    writer.write('stdout', buf('o\nthree\n'));
    writer.write('stderr', buf('err2\n'));
    assert.deepEqual(lines, [
      { n: 1, t: 1000, stream: 'stdout', text: 'one' },
      { n: 2, t: 1000, stream: 'stderr', text: 'err1' },
      { n: 3, t: 1000, stream: 'system', text: '[slipway] hello' },
      { n: 4, t: 1000, stream: 'stdout', text: 'two' },
      { n: 5, t: 1000, stream: 'stdout', text: 'three' },
      { n: 6, t: 1000, stream: 'stderr', text: 'err2' },
    ]);
    assert.equal(writer.lineCount, 6);
  });

  it('strips the CR of CRLF, even when split across chunks, and keeps a lone CR', () => {
    const { writer, texts } = setup();
    writer.write('stdout', buf('a\r\nb\r'));
    writer.write('stdout', buf('\nprogress 10%\rprogress 20%\n'));
    assert.deepEqual(texts(), ['a', 'b', 'progress 10%\rprogress 20%']);
  });

  it('keeps empty lines', () => {
    const { writer, texts } = setup();
    writer.write('stdout', buf('\n\nx\n'));
    assert.deepEqual(texts(), ['', '', 'x']);
  });

  it('decodes UTF-8 characters split across chunks at every byte', () => {
    const text = 'héllo wörld → 日本語 🚀 done';
    const bytes = buf(`${text}\n`);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const { writer, texts } = setup();
        writer.write('stdout', bytes.subarray(0, i));
        writer.write('stdout', bytes.subarray(i, j));
        writer.write('stdout', bytes.subarray(j));
        assert.deepEqual(texts(), [text], `split at ${i}/${j}`);
      }
    }
  });

  it('masks a secret split across writes at every byte offset', () => {
    const line = buf(`token=${SECRET} and again ${SECRET}\n`);
    for (let i = 0; i <= line.length; i++) {
      const { writer, texts } = setup([SECRET]);
      writer.write('stdout', line.subarray(0, i));
      writer.write('stdout', line.subarray(i));
      assert.deepEqual(texts(), [`token=${MASK} and again ${MASK}`], `split at ${i}`);
    }
  });

  it('masks a secret byte by byte, interleaved with the other stream', () => {
    const { writer, texts } = setup([SECRET]);
    for (const byte of buf(`${SECRET}\n`)) {
      writer.write('stdout', Buffer.from([byte]));
      writer.write('stderr', buf('-'));
    }
    writer.flush();
    assert.deepEqual(texts('stdout'), [MASK]);
    assert.equal(texts('stderr').join(''), '-'.repeat(SECRET.length + 1));
  });

  it('masks encoded forms in output', () => {
    const secret = 'a b&c="d"\\e';
    const { writer, texts } = setup([secret]);
    const out = [
      Buffer.from(`x${secret}y`).toString('base64'),
      Buffer.from(`xx${secret}`).toString('base64url'),
      encodeURIComponent(secret),
      JSON.stringify({ secret }),
    ];
    writer.write('stdout', buf(`${out.join('\n')}\n`));
    for (const text of texts()) assert.ok(text.includes(MASK), text);
  });

  it('masks system lines', () => {
    const { writer, texts } = setup([SECRET]);
    writer.system(`[slipway] env: ${SECRET}`);
    assert.deepEqual(texts(), [`[slipway] env: ${MASK}`]);
  });

  it('breaks a line longer than maxLineBytes', () => {
    const { writer, texts } = setup([], { maxLineBytes: 10 });
    writer.write('stdout', buf('0123456789abcdefghij'));
    writer.write('stdout', buf('XYZ'));
    assert.deepEqual(texts(), ['0123456789', 'abcdefghij']);
    writer.flush();
    assert.deepEqual(texts(), ['0123456789', 'abcdefghij', 'XYZ']);
  });

  it('breaks a complete over-long line in one chunk, never inside a UTF-8 character', () => {
    const { writer, texts } = setup([], { maxLineBytes: 10 });
    writer.write('stdout', buf(`${'🚀'.repeat(5)}ab\n`));
    assert.deepEqual(texts(), ['🚀🚀', '🚀🚀', '🚀ab']);
  });

  it('never splits a secret at the forced break of a long line, wherever it falls', () => {
    const maxLineBytes = 32;
    for (let offset = 0; offset < 3 * maxLineBytes; offset++) {
      for (const chunkSize of [1, 5, 1000]) {
        const { writer, texts } = setup([SECRET], { maxLineBytes });
        const text = `${'.'.repeat(offset)}${SECRET}${'_'.repeat(50)}`;
        const bytes = buf(text);
        for (let i = 0; i < bytes.length; i += chunkSize)
          writer.write('stdout', bytes.subarray(i, i + chunkSize));
        assert.ok(writer.lineCount >= 1, 'the line was broken before it ended');
        writer.write('stdout', buf('\n'));
        const out = texts();
        assert.equal(out.join(''), text.replace(SECRET, MASK), `offset ${offset}, chunks of ${chunkSize}`);
        for (const line of out) {
          assert.ok(Buffer.byteLength(line) <= maxLineBytes, line);
          // A leak would show as the secret's start at the end of one line.
          for (let k = 3; k <= SECRET.length; k++) assert.ok(!line.endsWith(SECRET.slice(0, k)), line);
        }
      }
    }
  });

  it('never splits a secret at the break of a complete over-long line', () => {
    for (let offset = 0; offset < 40; offset++) {
      const { writer, texts } = setup([SECRET], { maxLineBytes: 20 });
      const text = `${'.'.repeat(offset)}${SECRET}${'_'.repeat(30)}`;
      writer.write('stdout', buf(`${text}\n`));
      assert.equal(texts().join(''), text.replace(SECRET, MASK), `offset ${offset}`);
    }
  });

  it('keeps memory bounded and leaks nothing when a periodic secret repeats without end', () => {
    const { writer, texts } = setup(['abababab'], { maxLineBytes: 64 });
    for (let i = 0; i < 1000; i++) writer.write('stdout', buf('abababababababab'));
    assert.ok(writer.lineCount > 100, 'lines are emitted while the output continues');
    writer.write('stdout', buf('\n'));
    for (const line of texts()) assert.match(line, /^(\*{8})+$/);
  });

  it('flush emits partial last lines, masked', () => {
    const { writer, texts } = setup([SECRET]);
    writer.write('stdout', buf(`done\nlast ${SECRET}`));
    writer.write('stderr', buf('warn\r'));
    writer.flush();
    assert.deepEqual(texts(), ['done', `last ${MASK}`, 'warn']);
    writer.flush();
    assert.equal(writer.lineCount, 3);
  });

  it('flush ends an incomplete UTF-8 character with a replacement character', () => {
    const { writer, texts } = setup();
    writer.write('stdout', buf('ok ').subarray(0, 3));
    writer.write('stdout', buf('é').subarray(0, 1));
    writer.flush();
    assert.deepEqual(texts(), ['ok \ufffd']);
  });

  it('truncates once past maxBytes, drops the rest and counts it', () => {
    const { writer, lines } = setup([], { maxBytes: 2 * 1024 });
    const line = buf(`${'x'.repeat(99)}\n`);
    for (let i = 0; i < 100; i++) writer.write('stdout', line);
    writer.write('stderr', buf('partial'));
    writer.flush();
    const markers = lines.filter((l) => l.text.startsWith('[slipway] log truncated'));
    assert.equal(markers.length, 1);
    assert.equal(
      markers[0]!.text,
      '[slipway] log truncated: this job printed more than 2 KiB; the rest is dropped (the job keeps running)',
    );
    assert.equal(markers[0]!.stream, 'system');
    // Coded, so the web UI can say it in the reader's language (issue #14).
    assert.equal(markers[0]!.code, 'log.truncated');
    assert.deepEqual(markers[0]!.params, { bytes: 2 * 1024 });
    assert.equal(lines.length, 20 + 1);
    assert.equal(lines.at(-1), markers[0]);
    assert.equal(writer.droppedBytes, 80 * 100 + 'partial'.length);
    // Slipway's own lines still get through: they say how the job ended.
    writer.system('[slipway] job exited with code 0');
    assert.equal(lines.at(-1)?.n, 22);
  });

  it('names the cap in MiB by default', () => {
    const { writer, lines } = setup([], { maxBytes: 1024 * 1024 });
    writer.write('stdout', Buffer.alloc(1024 * 1024 + 1, 'a'));
    writer.write('stdout', buf('\n'));
    assert.match(lines.at(-1)!.text, /more than 1 MiB;/);
  });
});
