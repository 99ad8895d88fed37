/**
 * The pipeline page's read of `.slipway.yml`: read and parsed once per commit however many
 * viewers ask (also at the same time), and large texts parsed off the event loop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { ConfigLoader } from '../../src/server/runs/config-loader.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CONFIG, configSources, insertProject, useSources } from './fixtures.js';

describe('GET /api/projects/:project/pipeline', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('reads and parses a commit once, for sequential and concurrent viewers alike', async () => {
    const sources = configSources(`${CONFIG}  - name: broken\n    jobs: { x: { scrpt: [a] } }\n`);
    const reads: string[] = [];
    const readFile = sources.readFile;
    sources.readFile = (project, ref, path) => {
      reads.push(ref);
      return readFile(project, ref, path);
    };
    useSources(t, sources);
    await insertProject(t, 'viewed');
    const view = async (ref = 'main') => {
      const res = await t.api(`/api/projects/viewed/pipeline?ref=${ref}`);
      assert.equal(res.status, 200);
      return (await res.json()) as { sha: string; diagnostics: { code: string }[] };
    };

    const first = await view();
    assert.ok(first.diagnostics.length > 0, 'the broken stage is reported');
    const again = await Promise.all(Array.from({ length: 16 }, () => view()));
    for (const answer of again) assert.deepEqual(answer, first);
    assert.deepEqual(reads, ['a'.repeat(40)], 'one read for seventeen requests of one commit');

    sources.refs.set('branch:next', 'b'.repeat(40));
    await view('next');
    assert.deepEqual(reads, ['a'.repeat(40), 'b'.repeat(40)], 'another commit is read on its own');
  });
});

describe('ConfigLoader', () => {
  // Anything over 1 000 characters goes to the worker here (the server's threshold is 64 KiB).
  const loader = new ConfigLoader({ inlineChars: 1000 });
  after(() => loader.close());

  test('parses a large text on a worker thread: the event loop keeps turning meanwhile', async () => {
    // 10 kB of valid YAML, answered with one schema error.
    const text = `[${'1,'.repeat(5_000)}1]`;
    let turns = 0;
    let parsing = true;
    const tick = () => {
      if (!parsing) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const result = await loader.load(text, 'big.yml');
    parsing = false;
    assert.ok(turns > 1, `the event loop turned ${turns} times during the parse`);
    assert.deepEqual(result, loadConfig(text, 'big.yml'));
  });

  test('small texts are parsed inline, with the same result', async () => {
    assert.deepEqual(await loader.load(CONFIG, 'x.yml'), loadConfig(CONFIG, 'x.yml'));
  });

  test('hostile texts come back as diagnostics from the worker too', async () => {
    const deep = `a: ${'['.repeat(200_000)}`;
    const result = await loader.load(deep, 'deep.yml');
    assert.equal(result.config, null);
    assert.deepEqual(
      result.diagnostics.map((d) => d.code),
      ['yaml-too-deep'],
    );
  });
});
