/**
 * HttpProxy on the wire, where requests go: retry past an upstream that refuses connections,
 * 503 with no upstream and 502 (counted as a proxy error) when none answers, no replay of a
 * POST an upstream took and dropped, the canary share
 * applied per request on keep-alive connections, and the drain contract a switch relies on
 * (activeTo / waitIdle by host; 127.0.0.2 and 127.0.0.3 tell upstreams apart).
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import {
  deadPort,
  httpUpstream,
  RawClient,
  rawUpstream,
  readBody,
  requestText,
  startProxy,
  waitFor,
  within,
} from './http-proxy-support.js';

test('retries: a refused upstream next to a live one never shows, not even for POSTs', async (t) => {
  const { proxy, port } = await startProxy(t);
  const live = await httpUpstream(t, async (req, res) => {
    const body = await readBody(req);
    res.end(`${req.method} ${body.toString()}`);
  });
  const dead = { host: '127.0.0.1', port: await deadPort() };
  proxy.setUpstreams([dead, live.at(), dead]);
  const client = await RawClient.connect(t, port);
  for (let i = 0; i < 12; i++) {
    const post = i % 2 === 1;
    client.write(requestText(post ? 'POST' : 'GET', `/r${i}`, {}, post ? `body ${i}` : undefined));
    const answer = await client.response();
    assert.equal(answer.status, 200, `request ${i} answered by the live upstream`);
    assert.equal(answer.body.toString(), post ? `POST body ${i}` : 'GET ');
  }
  assert.equal(live.seen.length, 12);
});

test('no upstream at all: 503', async (t) => {
  const { proxy, port } = await startProxy(t);
  proxy.setUpstreams([]);
  const client = await RawClient.connect(t, port);
  client.write(requestText('GET', '/'));
  const answer = await client.response();
  assert.equal(answer.status, 503);
});

test('only dead upstreams: 502, counted as proxy errors of the tagged release', async (t) => {
  const { proxy, port, recorder, ref, tag } = await startProxy(t);
  proxy.setUpstreams([
    { host: '127.0.0.1', port: await deadPort(), tag: tag('r1') },
    { host: '127.0.0.1', port: await deadPort(), tag: tag('r1') },
  ]);
  const client = await RawClient.connect(t, port);
  for (let i = 0; i < 3; i++) {
    client.write(requestText('GET', `/d${i}`));
    const answer = await client.responseOrClose();
    assert.equal(answer?.status, 502);
  }
  // Counting may trail the answer; wait (bounded), then let the assertions say what is missing.
  await waitFor(() => recorder.totals(ref, 'r1', 'stable').proxyErrors >= 3, '3 proxy errors', 1_000).catch(
    () => {},
  );
  const totals = recorder.totals(ref, 'r1', 'stable');
  assert.equal(totals.proxyErrors, 3, 'each failed request is one proxy error');
  assert.equal(totals.requests, 3);
  assert.deepEqual(totals.status, [0, 0, 0, 0, 0]);
});

test('canary share 0.3: per request on keep-alive connections, counted per role', async (t) => {
  const { proxy, port, recorder, ref, tag } = await startProxy(t);
  const stable = await httpUpstream(t, (_req, res) => res.end('stable'));
  const canary = await httpUpstream(t, (_req, res) => res.end('canary'));
  proxy.setUpstreams([stable.at(tag('r1'))], [canary.at(tag('r2', 'canary'))], 0.3);
  const clients = [await RawClient.connect(t, port), await RawClient.connect(t, port)];
  const perClient = clients.map(() => ({ stable: 0, canary: 0 }));
  for (let i = 0; i < 400; i++) {
    const index = i % clients.length;
    const client = clients[index]!;
    client.write(requestText('GET', `/c${i}`));
    const body = (await client.response()).body.toString();
    assert.ok(body === 'stable' || body === 'canary', body);
    perClient[index]![body as 'stable' | 'canary']++;
  }
  const toCanary = perClient.reduce((sum, c) => sum + c.canary, 0);
  assert.ok(toCanary >= 80 && toCanary <= 160, `canary got ${toCanary} of 400 (share 0.3)`);
  for (const counts of perClient)
    assert.ok(
      counts.canary > 0 && counts.stable > 0,
      'one connection reaches both: the share is per request',
    );
  await waitFor(
    () =>
      recorder.totals(ref, 'r2', 'canary').requests + recorder.totals(ref, 'r1', 'stable').requests === 400,
    '400 recorded requests',
  );
  assert.equal(recorder.totals(ref, 'r2', 'canary').requests, toCanary);
  assert.equal(recorder.totals(ref, 'r1', 'stable').requests, 400 - toCanary);

  proxy.setUpstreams([stable.at(tag('r1'))], [canary.at(tag('r2', 'canary'))], 0);
  const before = canary.seen.length;
  for (let i = 0; i < 100; i++) {
    const client = clients[i % clients.length]!;
    client.write(requestText('GET', `/z${i}`));
    assert.equal((await client.response()).body.toString(), 'stable', 'share 0: nothing to the canary');
  }
  assert.equal(canary.seen.length, before);
});

test('drain: an in-flight request counts for its host, waitIdle waits for it, a switch does not break it', async (t) => {
  const { proxy, port } = await startProxy(t);
  // The old upstream holds its answer until the test lets go (instead of a fixed 300 ms delay).
  let release: (() => void) | null = null;
  const old = await httpUpstream(
    t,
    (_req, res: ServerResponse) => {
      release = () => res.end('old answer');
    },
    '127.0.0.2',
  );
  const next = await httpUpstream(t, (_req, res) => res.end('new answer'), '127.0.0.3');
  proxy.setUpstreams([old.at()]);
  const slow = await RawClient.connect(t, port);
  slow.write(requestText('GET', '/slow'));
  await waitFor(() => release !== null, 'the old upstream to get the request');
  assert.equal(proxy.activeTo(['127.0.0.2']), 1);
  assert.equal(proxy.activeTo(['127.0.0.3']), 0);

  proxy.setUpstreams([next.at()]);
  let idle = false;
  const waiting = proxy.waitIdle(['127.0.0.2'], 20_000).then(() => {
    idle = true;
  });
  // New requests go to the new upstream while the old one is still busy.
  const fresh = await RawClient.connect(t, port);
  fresh.write(requestText('GET', '/fresh'));
  assert.equal((await fresh.response()).body.toString(), 'new answer');
  assert.equal(idle, false, 'waitIdle does not resolve while the request is in flight');
  assert.equal(proxy.activeTo(['127.0.0.2']), 1);

  (release as unknown as () => void)();
  const answer = await slow.response();
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), 'old answer', 'the in-flight request finished on its upstream');
  await within(waiting, 'waitIdle to resolve once the request completed');
  assert.equal(proxy.activeTo(['127.0.0.2']), 0);
  // The switched client connection itself now follows the new set.
  slow.write(requestText('GET', '/again'));
  assert.equal((await slow.response()).body.toString(), 'new answer');
});

test('an upstream that drops a POST after taking it: 502, never replayed on another upstream', async (t) => {
  const { proxy, port, recorder, ref, tag } = await startProxy(t);
  // Reads the whole request, then hangs up without a word: the body may have had effects.
  const dropper = await rawUpstream(t, (socket) => socket.destroy());
  const live = await httpUpstream(t, (req, res) => res.end(`live ${req.url}`));
  proxy.setUpstreams([dropper.at(tag('r1')), live.at(tag('r1'))]);
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const client = await RawClient.connect(t, port);
    client.write(requestText('POST', `/order${i}`, {}, `order ${i}`));
    const answer = await client.responseOrClose();
    outcomes.push(`/order${i} ${answer?.status ?? 'closed'}`);
  }
  const dropped = dropper.received.map((bytes) => /POST (\S+)/.exec(bytes.toString('latin1'))?.[1] ?? '?');
  const served = live.seen.map((s) => s.url);
  assert.ok(dropped.length > 0, 'round-robin sent some POSTs to the dropping upstream');
  for (const url of dropped) {
    assert.ok(!served.includes(url), `${url} was replayed on the live upstream after being dropped`);
    assert.ok(outcomes.includes(`${url} 502`), `${url} answered 502: ${outcomes}`);
  }
  for (const url of served) assert.ok(outcomes.includes(`${url} 200`));
  await waitFor(() => recorder.totals(ref, 'r1', 'stable').requests === 6, '6 recorded requests');
  assert.equal(recorder.totals(ref, 'r1', 'stable').proxyErrors, dropped.length);
});
