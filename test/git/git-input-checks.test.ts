/**
 * The pure checks in front of git: which remotes may be fetched, which names are refs, which
 * paths are tree paths, and what a receive-pack request asks for.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { createOutboundPolicy } from '../../src/server/git/outbound-policy.js';
import { PushLimitNotice } from '../../src/server/git/push-limit-notice.js';
import { pushRefusal } from '../../src/server/git/push-refusal.js';
import { readReceiveCommands } from '../../src/server/git/receive-commands.js';
import { isSafeRefName, normalizeTreePath } from '../../src/server/git/ref-names.js';
import { parseRemoteUrl, redactRemoteUrl } from '../../src/server/git/remote-url.js';
import { normaliseRepositoryUrl } from '../../src/server/webhooks/repository-binding.js';

const lookupTo = (addresses: string[]) => async () => addresses;

describe('outbound policy', () => {
  const check = (url: string, opts: Parameters<typeof createOutboundPolicy>[0] = {}) =>
    createOutboundPolicy(opts).check(parseRemoteUrl(url));

  test('public addresses pass and are pinned', async () => {
    const answer = await check('https://git.example.com/a.git', { lookup: lookupTo(['93.184.216.34']) });
    assert.deepEqual(answer.pinnedAddresses, ['93.184.216.34']);
  });

  test('loopback, private, link-local, mapped and unresolvable hosts are refused', async () => {
    for (const url of [
      'http://127.0.0.1/a.git',
      'http://[::1]/a.git',
      'http://10.1.2.3/a.git',
      'http://192.168.0.10/a.git',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/a.git',
      'http://[fe80::1]/a.git',
      'http://0.0.0.0/a.git',
    ]) {
      await assert.rejects(check(url), /private address|allowlist/, url);
    }
    await assert.rejects(
      check('https://sneaky.example.com/a.git', { lookup: lookupTo(['93.184.216.34', '10.0.0.1']) }),
      /private/,
    );
    await assert.rejects(
      check('https://nowhere.invalid/a.git', {
        lookup: async () => {
          throw new Error('ENOTFOUND');
        },
      }),
      /cannot resolve/,
    );
  });

  test('the allowlist admits hosts, addresses, ranges and local repositories', async () => {
    const allowlist = ['git.internal', '10.1.0.0/16', '127.0.0.1', 'file://'];
    await check('https://GIT.internal/a.git', { allowlist, lookup: lookupTo(['192.168.1.1']) });
    await check('http://10.1.200.3/a.git', { allowlist });
    await check('http://127.0.0.1:3000/a.git', { allowlist });
    await check('file:///srv/git/a.git', { allowlist });
    await check('/srv/git/a.git', { allowlist });
    await assert.rejects(check('http://10.2.0.1/a.git', { allowlist }));
    await assert.rejects(check('file:///srv/git/a.git'), /local repositories/);
  });

  test('only http(s) and local remotes are understood; credentials are taken out of the URL', () => {
    assert.throws(() => parseRemoteUrl('ssh://git@host/a.git'), /https or http/);
    assert.throws(() => parseRemoteUrl('ext::sh -c touch% /tmp/pwned'), /https or http|not a URL/);
    assert.throws(() => parseRemoteUrl('git@host:a.git'), /https or http|not a URL/);
    const parsed = parseRemoteUrl('https://bot:s%40cret@git.example.com/a.git');
    assert.equal(parsed.kind, 'http');
    if (parsed.kind !== 'http') return;
    assert.equal(parsed.url.href, 'https://git.example.com/a.git');
    assert.equal(parsed.authorization, `Basic ${Buffer.from('bot:s@cret').toString('base64')}`);
    assert.equal(
      redactRemoteUrl('https://bot:secret@git.example.com/a.git'),
      'https://git.example.com/a.git',
    );
  });
});

describe('ref names and tree paths', () => {
  test('ref names follow check-ref-format and exclude revision syntax', () => {
    for (const ok of ['main', 'feature/login', 'refs/heads/main', 'v1.2.0', 'release-2024_01']) {
      assert.ok(isSafeRefName(ok), ok);
    }
    for (const bad of [
      '',
      '-x',
      'a..b',
      'main~1',
      'main^',
      'a:b',
      'HEAD@{1}',
      '@',
      'a b',
      'a/.b',
      'x.lock',
      'a/',
      'a\\b',
    ]) {
      assert.ok(!isSafeRefName(bad), bad);
    }
  });

  test('tree paths are normalised, escapes refused', () => {
    assert.equal(normalizeTreePath('./a/b.txt'), 'a/b.txt');
    assert.equal(normalizeTreePath('/a'), 'a');
    for (const bad of ['', '../a', 'a/../../b', 'a//b', 'a\nb', 'a\u0000b']) {
      assert.equal(normalizeTreePath(bad), null, JSON.stringify(bad));
    }
  });
});

describe('receive-pack commands', () => {
  const pkt = (line: string) => `${(Buffer.byteLength(line) + 4).toString(16).padStart(4, '0')}${line}`;
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  const zero = '0'.repeat(40);

  test('are read across chunk boundaries; the stream passes through unchanged', async () => {
    const request = Buffer.concat([
      Buffer.from(
        pkt(`${zero} ${a} refs/heads/main\0report-status side-band-64k\n`) +
          pkt(`${a} ${b} refs/tags/v1\n`) +
          pkt(`${b} ${zero} refs/heads/old\n`) +
          '0000',
      ),
      Buffer.from('PACK\u0000\u0000\u0000\u0002 binary pack data 0000'),
    ]);
    const pieces = Array.from({ length: Math.ceil(request.length / 7) }, (_, i) =>
      request.subarray(i * 7, i * 7 + 7),
    );
    const read = await readReceiveCommands(Readable.from(pieces));
    const chunks: Buffer[] = [];
    for await (const chunk of read.body) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), request);
    assert.deepEqual(read.commands, [
      { ref: 'refs/heads/main', oldOid: zero, newOid: a },
      { ref: 'refs/tags/v1', oldOid: a, newOid: b },
      { ref: 'refs/heads/old', oldOid: b, newOid: zero },
    ]);
    assert.deepEqual(read.capabilities, ['report-status', 'side-band-64k']);
    assert.equal(read.complete, true);
  });

  test('garbage is passed on and yields no commands', async () => {
    const read = await readReceiveCommands(Readable.from([Buffer.from('zzzz not a pkt-line')]));
    const chunks: Buffer[] = [];
    for await (const chunk of read.body) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'zzzz not a pkt-line');
    assert.deepEqual(read.commands, []);
    assert.equal(read.complete, false);
  });
});

describe('push answers', () => {
  const pkt = (data: string) => `${(Buffer.byteLength(data) + 4).toString(16).padStart(4, '0')}${data}`;

  test("the size-limit notice follows git's message once, wherever the answer is split", async () => {
    const gitSays = pkt('\u0002fatal: pack exceeds maximum allowed size\n');
    const rest = `${pkt(`\u0001${pkt('unpack index-pack abnormal exit\n')}0000`)}0000`;
    const answer = Buffer.from(gitSays + rest, 'latin1');
    const expected =
      gitSays +
      pkt('\u0002Slipway accepts pushes of at most 2.0 KB (2048 bytes, SLIPWAY_GIT_MAX_PUSH_BYTES)\n') +
      rest;
    for (let at = 0; at <= answer.length; at += 1) {
      const chunks: Buffer[] = [];
      const split = Readable.from([answer.subarray(0, at), answer.subarray(at)]);
      for await (const chunk of split.pipe(new PushLimitNotice(2048))) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString('latin1'), expected, `split at ${at}`);
    }
    // Without git's message nothing is added.
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.from([Buffer.from(rest)]).pipe(new PushLimitNotice(2048))) {
      chunks.push(chunk as Buffer);
    }
    assert.equal(Buffer.concat(chunks).toString('latin1'), rest);
  });

  test('a refusal is a report git understands, on side-band when asked', () => {
    const commands = [{ ref: 'refs/heads/-x', oldOid: '0'.repeat(40), newOid: 'a'.repeat(40) }];
    const plain = pushRefusal(commands, ['report-status'], () => 'invalid ref name', 'why').toString();
    assert.equal(plain, `${pkt('unpack ok\n')}${pkt('ng refs/heads/-x invalid ref name\n')}0000`);
    const banded = pushRefusal(
      commands,
      ['report-status', 'side-band-64k'],
      () => 'bad\nname',
      'why',
    ).toString();
    assert.ok(banded.startsWith(pkt('\u0002why\n')));
    assert.ok(banded.includes('ng refs/heads/-x bad name\n'));
    assert.ok(banded.endsWith('0000'));
  });

  test('repository URLs are compared without scheme, credentials, port, case and .git', () => {
    const same = [
      'https://github.com/Org/Repo.git',
      'https://user:tok@github.com:443/org/repo/',
      'git@github.com:org/repo.git',
      'ssh://git@github.com/org/repo',
      'http://github.com/org/repo',
    ];
    for (const url of same) assert.equal(normaliseRepositoryUrl(url), 'github.com/org/repo', url);
    assert.equal(normaliseRepositoryUrl('file:///srv/git/a.git'), normaliseRepositoryUrl('/srv/git/a'));
    assert.notEqual(normaliseRepositoryUrl('https://github.com/org/other'), 'github.com/org/repo');
    for (const bad of ['', 'not a url', 'https://github.com/'])
      assert.equal(normaliseRepositoryUrl(bad), null, bad);
  });
});
