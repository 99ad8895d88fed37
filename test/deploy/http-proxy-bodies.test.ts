/**
 * HttpProxy on the wire, bodies: request bodies by length and chunked (with a trailer), chunked
 * and large responses streamed with back-pressure (a paused client must stall the upstream, and
 * an upstream not reading an upload must stall the client, rather than the proxy buffering the
 * body), answers that carry no body (HEAD, 204, 304) keeping the connection usable, and what the
 * recorder counts of it all.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { test } from 'node:test';
import {
  httpUpstream,
  RawClient,
  readBody,
  requestText,
  startProxy,
  waitFor,
  within,
} from './http-proxy-support.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('POST with Content-Length: 1 MB arrives intact (checksum echoed back)', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, async (req, res) => {
    const body = await readBody(req);
    res.end(`${body.length} ${sha(body)}`);
  });
  proxy.setUpstreams([up.at()]);
  const body = randomBytes(1024 * 1024);
  const answer = await within(
    new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
        },
      );
      req.on('error', reject);
      req.setHeader('content-length', body.length);
      req.end(body);
    }),
    'the upload answer',
    15_000,
  );
  assert.equal(answer, `${body.length} ${sha(body)}`);
  assert.equal(up.seen[0]?.headers['content-length'], String(body.length));
});

test('POST chunked with a trailer: every chunk arrives, and the connection is usable after it', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, async (req, res) => {
    const body = await readBody(req);
    res.end(`${req.url} ${body.toString()}`);
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('POST', '/chunks', { 'transfer-encoding': 'chunked', trailer: 'x-sum' }));
  for (const part of ['alpha-', 'beta-', 'gamma']) {
    client.write(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`);
  }
  client.write('0\r\nx-sum: 3\r\n\r\n');
  const answer = await client.response();
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), '/chunks alpha-beta-gamma');
  client.write(requestText('GET', '/next'));
  assert.equal((await client.response()).body.toString(), '/next ');
});

test('a chunked response written in several delayed pieces arrives whole, then keep-alive goes on', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const piece of ['one,', 'two,', 'three,', 'four']) {
      res.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    res.end();
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/stream'));
  const answer = await client.response();
  assert.equal(answer.body.toString(), 'one,two,three,four');
  assert.equal(answer.framing, 'chunked');
  client.write(requestText('GET', '/stream'));
  assert.equal((await client.response()).body.toString(), 'one,two,three,four');
});

test('a 32 MB response streams with back-pressure: a paused client stalls the upstream', async (t) => {
  const { proxy, port } = await startProxy(t);
  // Not 10 MB: loopback socket buffers on this machine absorb ~8 MB of a stalled stream, so
  // only a body well beyond that tells back-pressure apart from a proxy holding the body.
  const size = 32 * 1024 * 1024;
  const body = randomBytes(size);
  const state = { written: 0, refused: 0, waitingDrain: false, finished: false };
  const up = await httpUpstream(t, async (_req, res) => {
    res.writeHead(200, { 'content-length': String(size) });
    // Below the 16 KB high-water mark: write() says false only when the socket really backs up.
    const step = 8 * 1024;
    while (state.written < size) {
      const ok = res.write(body.subarray(state.written, state.written + step));
      state.written += step;
      if (!ok) {
        state.refused++;
        state.waitingDrain = true;
        await new Promise((resolve) => res.once('drain', resolve));
        state.waitingDrain = false;
      }
    }
    res.end();
    state.finished = true;
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.socket.pause();
  client.write(requestText('GET', '/big'));
  // While the client reads nothing, the upstream must end up blocked on 'drain' with most of
  // the body unwritten. Stalled = no progress over three polls while waiting for 'drain'.
  let last = -1;
  let still = 0;
  await waitFor(
    () => {
      assert.equal(
        state.finished,
        false,
        'the upstream wrote the whole body to a paused client: no back-pressure',
      );
      still = state.waitingDrain && state.written === last ? still + 1 : 0;
      last = state.written;
      return still >= 3;
    },
    'the upstream to stall on back-pressure',
    15_000,
  );
  assert.ok(state.refused > 0, "the upstream's res.write returned false");
  assert.ok(state.written < size, 'the upstream is stalled before the end of the body');
  client.socket.resume();
  // 32 MB through two loopback hops: a roomier bound than one small answer needs, under load.
  const answer = await client.response({ ms: 30_000 });
  assert.equal(answer.body.length, size);
  assert.equal(sha(answer.body), sha(body));
});

test('a 32 MB upload streams with back-pressure: an upstream not reading stalls the client', async (t) => {
  const { proxy, port } = await startProxy(t);
  const size = 32 * 1024 * 1024;
  const body = randomBytes(size);
  let startReading: (() => void) | null = null;
  const up = await httpUpstream(t, (req, res) => {
    // Reads nothing until the test says so; node stops reading the socket meanwhile.
    startReading = () => {
      readBody(req).then((got) => res.end(`${got.length} ${sha(got)}`));
    };
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('POST', '/upload', { 'content-length': String(size) }));
  // The client sends like any careful writer: a 64 KB piece, then waits for 'drain'. `sent`
  // only moves while the proxy takes bytes (a node socket's own queue length does not show
  // progress: it hands its whole backlog to the kernel in one writev).
  const progress = { sent: 0 };
  const pump = async () => {
    for (let at = 0; at < size && !client.closed; at += 65_536) {
      const ok = client.socket.write(body.subarray(at, at + 65_536));
      progress.sent = Math.min(size, at + 65_536);
      if (!ok)
        await new Promise((resolve) => {
          client.socket.once('drain', resolve);
          client.socket.once('close', resolve);
        });
    }
  };
  void pump();
  await waitFor(() => startReading !== null, 'the upstream to get the request head');
  // Stalled = no progress over three polls, with most of the upload still unsent.
  let last = -1;
  let still = 0;
  await waitFor(
    () => {
      assert.notEqual(
        progress.sent,
        size,
        'the whole upload left the client while the upstream read nothing',
      );
      still = progress.sent === last ? still + 1 : 0;
      last = progress.sent;
      return still >= 3;
    },
    'the client to stall on back-pressure',
    15_000,
  );
  (startReading as unknown as () => void)();
  const answer = await client.response({ ms: 30_000 });
  assert.equal(answer.body.toString(), `${size} ${sha(body)}`);
});

test('HEAD to an upstream announcing content-length 1000: no body follows, the next request works', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, (req, res) => {
    res.setHeader('content-length', '1000');
    if (req.method === 'HEAD') res.end();
    else res.end('x'.repeat(1000));
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('HEAD', '/file'));
  const head = await client.response({ head: true });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '1000');
  client.write(requestText('GET', '/file'));
  const get = await client.response();
  assert.equal(get.body.toString(), 'x'.repeat(1000), 'no stray body bytes between the answers');
  assert.equal(client.pending().length, 0);
});

test('204 and 304 answers carry no body and keep-alive continues', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, (req, res) => {
    if (req.url === '/204') res.writeHead(204).end();
    else if (req.url === '/304') res.writeHead(304, { etag: '"v1"' }).end();
    else res.end('plain');
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('DELETE', '/204'));
  assert.equal((await client.response()).status, 204);
  client.write(requestText('GET', '/304', { 'if-none-match': '"v1"' }));
  const notModified = await client.response();
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.etag, '"v1"');
  client.write(requestText('GET', '/plain'));
  const plain = await client.response();
  assert.equal(plain.body.toString(), 'plain');
  assert.equal(client.pending().length, 0);
});

test('recording: 20 requests, 5 answered 500: statuses, body bytes in and out per release', async (t) => {
  const { proxy, port, recorder, ref, tag } = await startProxy(t);
  const up = await httpUpstream(t, async (req, res) => {
    const body = await readBody(req);
    const n = Number(req.url?.slice(1));
    res.statusCode = n % 4 === 0 ? 500 : 200;
    res.end(`got ${body.length} bytes for request ${n}`);
  });
  proxy.setUpstreams([up.at(tag('r1'))]);
  const client = await RawClient.connect(t, port);
  let sentBody = 0;
  let gotBody = 0;
  for (let n = 0; n < 20; n++) {
    const payload = 'p'.repeat(10 + n);
    sentBody += payload.length;
    client.write(requestText('POST', `/${n}`, {}, payload));
    const answer = await client.response();
    assert.equal(answer.status, n % 4 === 0 ? 500 : 200);
    gotBody += answer.body.length;
  }
  const totals = await waitFor(() => {
    const now = recorder.totals(ref, 'r1', 'stable');
    return now.requests === 20 ? now : undefined;
  }, '20 recorded requests');
  assert.deepEqual(totals.status, [0, 15, 0, 0, 5]);
  assert.equal(totals.proxyErrors, 0);
  assert.equal(totals.bytesIn, sentBody, 'bytesIn = request body bytes');
  assert.equal(totals.bytesOut, gotBody, 'bytesOut = response body bytes');
  assert.equal(
    totals.latency.reduce((a, b) => a + b, 0),
    20,
    'every request has a latency',
  );
  assert.equal(recorder.totals(ref, 'r1', 'canary').requests, 0);
});
