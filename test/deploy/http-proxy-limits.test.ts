/**
 * Limits of the HTTP proxy that protect it and the client: a request head that trickles in
 * never holds a connection past the head timeout (408), and an upstream answer carrying both
 * Content-Length and Transfer-Encoding reaches the client with only the framing the proxy
 * followed (chunked), so the client cannot be told two lengths.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { HttpProxy } from '../../src/deploy/http-proxy.js';
import { TrafficRecorder } from '../../src/deploy/traffic-recorder.js';
import { freePort } from '../support/free-port.js';
import {
  httpUpstream,
  RawClient,
  rawUpstream,
  requestText,
  startProxy,
  within,
} from './http-proxy-support.js';

test('a request head that does not complete in time gets 408 and the connection ends', async (t) => {
  const port = await freePort();
  const proxy = new HttpProxy({
    listenHost: '127.0.0.1',
    port,
    headTimeoutMs: 300,
    recorder: new TrafficRecorder(),
  });
  await proxy.listen();
  t.after(() => within(proxy.close(), 'proxy.close()').catch(() => {}));
  const up = await httpUpstream(t, (_req, res) => res.end('ok'));
  proxy.setUpstreams([
    up.at({
      ref: { project: `p${randomUUID().slice(0, 6)}`, app: 'a', env: 'e' },
      releaseId: 'r',
      role: 'stable',
    }),
  ]);

  // A whole request first: the timer is about heads that started, not idle connections.
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/first'));
  assert.equal((await client.response()).status, 200);
  client.write('GET /slow HTTP/1.1\r\nHost: x\r\n');
  const answer = await client.response();
  assert.equal(answer.status, 408);
  assert.equal(answer.headers.connection, 'close');
  await client.closedByPeer();
  assert.equal(up.seen.length, 1, 'the unfinished request never reached the upstream');
});

test('an answer with both Content-Length and chunked coding reaches the client chunked only', async (t) => {
  const { proxy, port } = await startProxy(t);
  const up = await rawUpstream(t, (socket) => {
    socket.write(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
  });
  proxy.setUpstreams([up.at()]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/both'));
  const answer = await client.response();
  assert.equal(answer.status, 200);
  assert.equal(answer.framing, 'chunked');
  assert.equal(answer.headers['content-length'], undefined);
  assert.equal(answer.body.toString(), 'hello world');
});
