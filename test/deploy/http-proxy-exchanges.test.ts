/**
 * HttpProxy on the wire, plain exchanges: what the upstream sees of a request (forwarding
 * headers added, hop-by-hop ones gone, both ways), keep-alive client connections that pick their upstream
 * per request, pipelining, `Expect: 100-continue`, an HTTP/1.0 upstream delimiting by close and
 * an upstream closing after its answer. Local upstreams only (no Docker); black-box: public API.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  httpUpstream,
  RawClient,
  rawUpstream,
  readBody,
  requestText,
  startProxy,
} from './http-proxy-support.js';

test('GET: status, body and headers come back; the upstream sees forwarding headers, no hop-by-hop ones', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, (_req, res) => {
    res.writeHead(203, { 'content-type': 'text/plain', 'x-upstream': 'one' });
    res.end('hello from upstream');
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(
    requestText('GET', '/path?q=1', {
      host: 'shop.example.test',
      'x-forwarded-for': '203.0.113.7',
      connection: 'keep-alive, x-secret',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'proxy-authorization': 'Basic c2VjcmV0',
      'x-secret': 'for this hop only',
      'x-app': 'kept',
    }),
  );
  const answer = await client.response();
  assert.equal(answer.status, 203);
  assert.equal(answer.body.toString(), 'hello from upstream');
  assert.equal(answer.headers['x-upstream'], 'one');
  assert.equal(answer.headers['content-type'], 'text/plain');

  assert.equal(up.seen.length, 1);
  const seen = up.seen[0]!;
  assert.equal(seen.method, 'GET');
  assert.equal(seen.url, '/path?q=1');
  assert.equal(seen.headers.host, 'shop.example.test', 'the original Host reaches the application');
  assert.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'client address appended');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], 'shop.example.test');
  assert.equal(seen.headers['x-app'], 'kept');
  for (const hop of ['keep-alive', 'te', 'proxy-authorization', 'x-secret'])
    assert.equal(seen.headers[hop], undefined, `${hop} must not be forwarded`);
  // The proxy may speak its own Connection header on its own hop, but not the client's tokens.
  assert.doesNotMatch(String(seen.headers.connection ?? ''), /x-secret/i);
});

test('keep-alive: sequential requests on one client socket, each picks its upstream anew', async (t) => {
  const { proxy, port } = await startProxy(t);
  const a = await httpUpstream(t, (req, res) => res.end(`A ${req.url}`));
  const b = await httpUpstream(t, (req, res) => res.end(`B ${req.url}`));
  proxy.setUpstreams([a.at()]);
  const client = await RawClient.connect(t, port);
  for (let i = 0; i < 10; i++) {
    client.write(requestText('GET', `/n${i}`));
    const answer = await client.response();
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), `A /n${i}`);
  }
  // Switch while the client connection stays open: its next request goes to the new upstream.
  proxy.setUpstreams([b.at()]);
  client.write(requestText('GET', '/after-switch'));
  const switched = await client.response();
  assert.equal(switched.body.toString(), 'B /after-switch');
  assert.equal(client.closed, false, 'all answers came on the one client connection');
  assert.equal(a.seen.length, 10);
  assert.equal(b.seen.length, 1);
});

test('pipelining: two requests in one write are both answered, in order, correctly framed', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, (req, res) => {
    // The first answer is the slow one, so an out-of-order proxy would be caught.
    const delay = req.url === '/one' ? 50 : 0;
    setTimeout(() => res.end(`answer to ${req.url}`), delay);
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/one') + requestText('POST', '/two', {}, 'payload'));
  const first = await client.response();
  const second = await client.response();
  assert.equal(first.body.toString(), 'answer to /one');
  assert.equal(second.body.toString(), 'answer to /two');
  client.write(requestText('GET', '/three'));
  assert.equal((await client.response()).body.toString(), 'answer to /three');
  assert.equal(client.pending().length, 0, 'no stray bytes after the answers');
});

test('Expect: 100-continue: the client gets 100 Continue, sends its body, gets the final answer', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, async (req, res) => {
    const body = await readBody(req);
    res.end(createHash('sha256').update(body).digest('hex'));
  });
  proxy.setUpstreams([up.at()]);
  const body = randomBytes(64 * 1024);
  const client = await RawClient.connect(t, port);
  client.write(
    requestText('PUT', '/upload', { expect: '100-continue', 'content-length': String(body.length) }),
  );
  const interim = await client.response();
  assert.equal(interim.status, 100, 'the proxy (or the upstream through it) says to go on');
  client.write(body);
  const final = await client.response();
  assert.equal(final.status, 200);
  assert.equal(final.body.toString(), createHash('sha256').update(body).digest('hex'));
});

test('an HTTP/1.0 upstream ending its body by closing: the client gets the whole body', async (t) => {
  const { proxy, port } = await startProxy(t);
  const body = randomBytes(300 * 1024);
  const up = await rawUpstream(t, (socket) => {
    socket.write('HTTP/1.0 200 OK\r\ncontent-type: application/octet-stream\r\n\r\n');
    // Several writes, then the close is the only end-of-body mark.
    socket.write(body.subarray(0, 1000));
    setTimeout(() => {
      socket.write(body.subarray(1000, 100_000));
      socket.end(body.subarray(100_000));
    }, 20);
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/legacy'));
  const answer = await client.response();
  assert.equal(answer.status, 200);
  assert.equal(answer.body.length, body.length);
  assert.ok(answer.body.equals(body), 'the body arrives intact');
  if (answer.framing !== 'close') {
    // Re-framed (chunked): then the client connection may stay open for another request.
    client.write(requestText('GET', '/legacy'));
    assert.ok((await client.response()).body.equals(body));
  }
});

test('upstream answers Connection: close: the client keep-alive connection still serves the next request', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, (req, res) => {
    res.setHeader('connection', 'close');
    res.end(`closing after ${req.url}`);
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/first'));
  const first = await client.response();
  assert.equal(first.body.toString(), 'closing after /first');
  assert.notEqual(first.headers.connection, 'close', "the upstream's Connection is its own hop's");
  client.write(requestText('GET', '/second'));
  const second = await client.response();
  assert.equal(second.body.toString(), 'closing after /second');
  assert.equal(client.closed, false);
  assert.equal(up.connections, 2, 'the proxy opened a new upstream connection for the second request');
});

test("the upstream's hop-by-hop response headers stay on its hop", async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await rawUpstream(t, (socket) => {
    socket.write(
      'HTTP/1.1 200 OK\r\nconnection: keep-alive, x-internal\r\nkeep-alive: timeout=3\r\n' +
        'x-internal: upstream-only\r\nx-app: kept\r\ncontent-length: 2\r\n\r\nok',
    );
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/'));
  const answer = await client.response();
  assert.equal(answer.body.toString(), 'ok');
  assert.equal(answer.headers['x-app'], 'kept');
  // The proxy may announce its own keep-alive terms, not the upstream's.
  assert.notEqual(answer.headers['keep-alive'], 'timeout=3');
  assert.equal(answer.headers['x-internal'], undefined, 'a header the upstream named in Connection');
});
