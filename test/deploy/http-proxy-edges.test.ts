/**
 * HttpProxy on the wire, edges: WebSocket-style upgrades (tunnel both ways, or the upstream's
 * refusal passed on), requests the proxy must refuse itself without forwarding (garbage,
 * request smuggling by conflicting lengths, oversized header blocks), `close()` ending idle
 * keep-alive connections and tunnels, and a client leaving mid-response aborting the upstream's.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  httpUpstream,
  RawClient,
  rawUpstream,
  requestText,
  startProxy,
  waitFor,
  within,
} from './http-proxy-support.js';

const upgradeRequest = requestText('GET', '/ws', { connection: 'Upgrade', upgrade: 'echo' });

/** A raw upstream that accepts the upgrade and echoes every byte after it. */
function echoTunnel(t: Parameters<typeof rawUpstream>[0], host?: string) {
  return rawUpstream(
    t,
    (socket, head, rest) => {
      if (!/^upgrade: *echo$/im.test(head)) {
        socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: Upgrade\r\n\r\n');
      if (rest.length > 0) socket.write(rest);
      socket.on('data', (chunk: Buffer) => socket.write(chunk));
    },
    host,
  );
}

test('upgrade: the 101 comes back, bytes flow both ways (early ones too), the recorder counts a 101', async (t) => {
  const { proxy, port, recorder, ref, tag } = await startProxy(t);
  const up = await echoTunnel(t);
  proxy.setUpstreams([up.at(tag('r1'))]);
  const client = await RawClient.connect(t, port);
  // Bytes right behind the request head, in the same write, belong to the tunnel.
  client.write(`${upgradeRequest}early`);
  const switched = await client.response();
  assert.equal(switched.status, 101);
  assert.equal(switched.headers.upgrade, 'echo');
  assert.equal((await client.bytes(5)).toString(), 'early');
  client.write('ping');
  assert.equal((await client.bytes(4)).toString(), 'ping');
  const big = randomBytes(256 * 1024);
  client.write(big);
  assert.ok((await client.bytes(big.length)).equals(big), 'a large message echoes intact');
  client.socket.end();
  const totals = await waitFor(() => {
    const now = recorder.totals(ref, 'r1', 'stable');
    return now.requests === 1 ? now : undefined;
  }, 'the tunnel to be recorded');
  assert.deepEqual(totals.status, [1, 0, 0, 0, 0]);
});

test('upgrade refused by the upstream with 400: the client gets the 400', async (t) => {
  const { proxy, port, recorder, ref, tag } = await startProxy(t);
  const up = await rawUpstream(t, (socket) => {
    socket.end(
      'HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 11\r\n\r\nnot allowed',
    );
  });
  proxy.setUpstreams([up.at(tag('r1'))]);
  const client = await RawClient.connect(t, port);
  client.write(upgradeRequest);
  const answer = await client.response();
  assert.equal(answer.status, 400);
  assert.equal(answer.body.toString(), 'not allowed');
  await waitFor(() => recorder.totals(ref, 'r1', 'stable').status[3] === 1, 'a recorded 4xx');
});

/** Sends `raw`; the proxy must answer 4xx-or-close itself, and its upstream must see nothing. */
async function refusedWithoutForwarding(
  t: Parameters<typeof rawUpstream>[0],
  raw: string,
  allowed: { statuses: number[]; closeOk: boolean },
): Promise<void> {
  const { proxy, port } = await startProxy(t);
  const up = await httpUpstream(t, (req, res) => res.end(`forwarded ${req.method} ${req.url}`));
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(raw);
  const answer = await client.responseOrClose();
  // A fresh request on a new connection still works; anything forwarded before it would show.
  const after = await RawClient.connect(t, port);
  after.write(requestText('GET', '/sentinel'));
  assert.equal((await after.response()).body.toString(), 'forwarded GET /sentinel');
  assert.deepEqual(
    up.seen.map((s) => `${s.method} ${s.url}`),
    ['GET /sentinel'],
    'nothing of the bad request reached the upstream',
  );
  if (answer === null) assert.ok(allowed.closeOk, `closed without an answer, expected ${allowed.statuses}`);
  else
    assert.ok(allowed.statuses.includes(answer.status), `got ${answer.status}, expected ${allowed.statuses}`);
}

test('garbage from the client: a 400 or a closed socket, never a hang, never forwarded', async (t) => {
  await refusedWithoutForwarding(t, 'hello\r\n\r\n', { statuses: [400], closeOk: true });
});

test('request smuggling (Content-Length and Transfer-Encoding: chunked): 400, not forwarded', async (t) => {
  const smuggled =
    'POST /front HTTP/1.1\r\nhost: app.test\r\ncontent-length: 44\r\ntransfer-encoding: chunked\r\n\r\n' +
    '0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: app.test\r\n\r\n';
  await refusedWithoutForwarding(t, smuggled, { statuses: [400], closeOk: false });
});

test('two different Content-Length headers: 400, not forwarded', async (t) => {
  const raw =
    'POST /twice HTTP/1.1\r\nhost: app.test\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!';
  await refusedWithoutForwarding(t, raw, { statuses: [400], closeOk: false });
});

test('a header block over 64 KB: 431 or 400, not forwarded', async (t) => {
  const raw = requestText('GET', '/huge', { 'x-filler': 'a'.repeat(70 * 1024) });
  await refusedWithoutForwarding(t, raw, { statuses: [431, 400], closeOk: false });
});

test('close() ends idle keep-alive client connections and open tunnels, and resolves', async (t) => {
  const { proxy, port } = await startProxy(t);
  const web = await httpUpstream(t, (_req, res) => res.end('ok'));
  const tunnelUp = await echoTunnel(t);
  proxy.setUpstreams([web.at()]);
  const idle = await RawClient.connect(t, port);
  idle.write(requestText('GET', '/'));
  assert.equal((await idle.response()).body.toString(), 'ok');

  proxy.setUpstreams([tunnelUp.at()]);
  const tunnel = await RawClient.connect(t, port);
  tunnel.write(upgradeRequest);
  assert.equal((await tunnel.response()).status, 101);
  tunnel.write('still here');
  assert.equal((await tunnel.bytes(10)).toString(), 'still here');

  await within(proxy.close(), 'close() to resolve');
  await idle.closedByPeer();
  await tunnel.closedByPeer();
});

test('client gone mid-response: the upstream response is aborted and the host is idle again', async (t) => {
  const { proxy, port } = await startProxy(t);
  const upstreamSide = { closed: false, finished: false };
  const up = await httpUpstream(
    t,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // Streams without end until the proxy lets go of it.
      const timer = setInterval(() => res.write(randomBytes(4096)), 5);
      res.on('close', () => {
        clearInterval(timer);
        upstreamSide.closed = true;
        upstreamSide.finished = res.writableFinished;
      });
    },
    '127.0.0.2',
  );
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/endless'));
  await waitFor(() => client.received > 20_000, 'some of the stream');
  assert.equal(proxy.activeTo(['127.0.0.2']), 1);
  client.socket.destroy();
  await waitFor(() => upstreamSide.closed, "the upstream response's close");
  assert.equal(upstreamSide.finished, false, 'the response was aborted, not completed');
  await waitFor(() => proxy.activeTo(['127.0.0.2']) === 0, 'activeTo back to 0');
});
