/**
 * The proxy's HTTP/1.1 message syntax (src/deploy/http-wire.ts): heads, the refusals that keep
 * the proxy and the application from disagreeing on where a request ends (request smuggling),
 * and the body tracker, which must find the same end however the bytes are split.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BodyTracker,
  headEnd,
  parseRequestHead,
  parseResponseHead,
  requestFraming,
  responseFraming,
  WireError,
} from '../../src/deploy/http-wire.js';

const head = (text: string): Buffer => Buffer.from(`${text.replaceAll('\n', '\r\n')}\r\n\r\n`, 'latin1');

function refusal(text: string): number | null {
  try {
    requestFraming(parseRequestHead(head(text)));
    return null;
  } catch (error) {
    assert.ok(error instanceof WireError, String(error));
    return error.status;
  }
}

describe('request heads', () => {
  test('a request line and fields, names as sent, values trimmed', () => {
    const h = parseRequestHead(head('POST /a?b=1 HTTP/1.1\nHost: x\nX-Thing:  v  \nContent-Length: 3'));
    assert.equal(h.method, 'POST');
    assert.equal(h.target, '/a?b=1');
    assert.equal(h.version, '1.1');
    assert.deepEqual(h.fields, [
      ['Host', 'x'],
      ['X-Thing', 'v'],
      ['Content-Length', '3'],
    ]);
    assert.deepEqual(requestFraming(h), { kind: 'length', length: 3 });
  });

  test('framing: none, length, chunked; equal repeated lengths are one length', () => {
    assert.deepEqual(requestFraming(parseRequestHead(head('GET / HTTP/1.1\nHost: x'))), { kind: 'none' });
    assert.deepEqual(requestFraming(parseRequestHead(head('POST / HTTP/1.1\nContent-Length: 0'))), {
      kind: 'none',
    });
    assert.deepEqual(requestFraming(parseRequestHead(head('POST / HTTP/1.1\nTransfer-Encoding: Chunked'))), {
      kind: 'chunked',
    });
    assert.deepEqual(
      requestFraming(parseRequestHead(head('POST / HTTP/1.1\nContent-Length: 5\nContent-Length: 5'))),
      { kind: 'length', length: 5 },
    );
  });

  test('what could be read two ways is refused, with the status the proxy answers', () => {
    assert.equal(refusal('POST / HTTP/1.1\nContent-Length: 4\nTransfer-Encoding: chunked'), 400);
    assert.equal(refusal('POST / HTTP/1.1\nContent-Length: 4\nContent-Length: 5'), 400);
    assert.equal(refusal('POST / HTTP/1.1\nContent-Length: 4, 5'), 400);
    assert.equal(refusal('POST / HTTP/1.1\nContent-Length: -1'), 400);
    assert.equal(refusal('POST / HTTP/1.1\nContent-Length: 0x10'), 400);
    assert.equal(refusal('POST / HTTP/1.1\nTransfer-Encoding: gzip, chunked'), 501);
    assert.equal(refusal('POST / HTTP/1.1\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked'), 501);
    assert.equal(refusal('POST / HTTP/1.0\nTransfer-Encoding: chunked'), 400);
    assert.equal(refusal('GET / HTTP/1.1\nHost: x\n folded'), 400);
    assert.equal(refusal('GET / HTTP/1.1\nBad Name: x'), 400);
    assert.equal(refusal('GET / HTTP/1.1\nTransfer-Encoding : chunked'), 400);
    assert.equal(refusal('GET / HTTP/1.1\nX: a\u0000b'), 400);
    assert.equal(refusal('GET / HTTP/2.0'), 505);
    assert.equal(refusal('GET /  HTTP/1.1'), 400);
    assert.equal(refusal('hello'), 400);
    assert.equal(refusal('CONNECT example.com:443 HTTP/1.1'), 501);
    // A bare LF inside the head (the tests' `head` turns \n into CRLF, so build it by hand).
    assert.throws(() => parseRequestHead(Buffer.from('GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n')), WireError);
  });

  test('headEnd finds the blank line, or says the head is incomplete', () => {
    assert.equal(headEnd(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n')), -1);
    const buf = Buffer.from('GET / HTTP/1.1\r\n\r\nbody');
    assert.equal(buf.subarray(headEnd(buf)).toString(), 'body');
  });
});

describe('response heads', () => {
  test('framing follows RFC 9112 §6.3', () => {
    const res = (text: string) => parseResponseHead(head(text));
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\nContent-Length: 10'), 'HEAD'), { kind: 'none' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 204 No Content'), 'GET'), { kind: 'none' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 304 Not Modified\nContent-Length: 9'), 'GET'), {
      kind: 'none',
    });
    assert.deepEqual(responseFraming(res('HTTP/1.1 100 Continue'), 'POST'), { kind: 'none' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\nTransfer-Encoding: chunked'), 'GET'), {
      kind: 'chunked',
    });
    assert.deepEqual(responseFraming(res('HTTP/1.0 200 OK'), 'GET'), { kind: 'close' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\nContent-Length: 0'), 'GET'), { kind: 'none' });
    const ok = res('HTTP/1.1 404 Not Found\nX: y');
    assert.equal(ok.status, 404);
    assert.equal(ok.reason, 'Not Found');
    assert.throws(() => parseResponseHead(head('HTTP/1.1 2000 OK')));
    assert.throws(() => parseResponseHead(head('SSH-2.0-OpenSSH')));
  });
});

/** A chunked body with extensions and a trailer, then the start of a next message. */
const CHUNKED = 'a;name=val\r\n0123456789\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n';

function feedSplit(tracker: BodyTracker, bytes: Buffer, cuts: number[]): number {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let consumed = 0;
  let from = 0;
  for (const to of [...points, bytes.length]) {
    if (to < from) continue;
    const piece = bytes.subarray(from, to);
    consumed += tracker.advance(piece);
    from = to;
    if (tracker.done) break;
  }
  return consumed;
}

describe('body tracker', () => {
  test('a chunked body ends where its last chunk and trailer end, however it is split', () => {
    const bytes = Buffer.from(`${CHUNKED}GET /next HTTP/1.1\r\n\r\n`);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        const tracker = new BodyTracker({ kind: 'chunked' });
        const consumed = feedSplit(tracker, bytes, cuts);
        return tracker.done && consumed === CHUNKED.length;
      }),
      { numRuns: 300 },
    );
  });

  test('byte by byte, and with an offset into a buffer', () => {
    const tracker = new BodyTracker({ kind: 'chunked' });
    const bytes = Buffer.from(CHUNKED);
    let consumed = 0;
    for (let i = 0; i < bytes.length; i++) consumed += tracker.advance(bytes.subarray(i, i + 1));
    assert.ok(tracker.done);
    assert.equal(consumed, bytes.length);
    const withHead = Buffer.from(`HEAD${CHUNKED}`);
    assert.equal(new BodyTracker({ kind: 'chunked' }).advance(withHead, 4), CHUNKED.length);
  });

  test('a length body takes exactly its length; a close body takes everything', () => {
    const length = new BodyTracker({ kind: 'length', length: 5 });
    assert.equal(length.advance(Buffer.from('abc')), 3);
    assert.equal(length.done, false);
    assert.equal(length.advance(Buffer.from('deGET')), 2);
    assert.equal(length.done, true);
    const close = new BodyTracker({ kind: 'close' });
    assert.equal(close.advance(Buffer.from('anything')), 8);
    assert.equal(close.done, false);
    assert.equal(new BodyTracker({ kind: 'none' }).done, true);
  });

  test('malformed chunking is refused, never guessed', () => {
    for (const bad of ['z\r\n', '\r\n', '5\nabcde\r\n', '3\r\nabcd\r\n', '3\r\nabc\n', '1234567890abc\r\n']) {
      assert.throws(() => new BodyTracker({ kind: 'chunked' }).advance(Buffer.from(bad)), WireError, bad);
    }
  });
});
