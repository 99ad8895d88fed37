/** The attach-stream demuxer and resource names: pure logic, no engine needed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Demuxer, type StreamName } from '../../src/backends/docker/demux.js';
import { resourceLabels, resourceName } from '../../src/backends/docker/labels.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function collect(chunks: Buffer[]): { out: string; err: string; order: StreamName[]; truncated: boolean } {
  let out = '';
  let err = '';
  const order: StreamName[] = [];
  const demuxer = new Demuxer((stream, chunk) => {
    if (stream === 'stdout') out += chunk.toString();
    else err += chunk.toString();
    if (order.at(-1) !== stream) order.push(stream);
  });
  for (const chunk of chunks) demuxer.push(chunk);
  return { out, err, order, truncated: demuxer.truncated };
}

describe('Demuxer', () => {
  const whole = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(1, '')]);

  test('splits whole frames by stream, in order', () => {
    assert.deepEqual(collect([whole]), {
      out: 'hello world\n',
      err: 'oops\n',
      order: ['stdout', 'stderr', 'stdout'],
      truncated: false,
    });
  });

  test('gives the same result wherever the chunks are cut', () => {
    for (let a = 0; a <= whole.length; a++) {
      for (let b = a; b <= whole.length; b += 3) {
        const result = collect([whole.subarray(0, a), whole.subarray(a, b), whole.subarray(b)]);
        assert.equal(result.out, 'hello world\n', `cut at ${a}/${b}`);
        assert.equal(result.err, 'oops\n', `cut at ${a}/${b}`);
      }
    }
  });

  test('byte by byte', () => {
    const bytes = [...whole].map((byte) => Buffer.from([byte]));
    assert.deepEqual(collect(bytes).out, 'hello world\n');
  });

  test('knows when the stream stopped inside a frame', () => {
    assert.equal(collect([whole.subarray(0, 10)]).truncated, true);
    assert.equal(collect([whole.subarray(0, 3)]).truncated, true);
  });
});

describe('resource names and labels', () => {
  test('valid names pass unchanged', () => {
    assert.equal(resourceName('t-1234', 'build_2.x'), 'slipway-t-1234-build_2.x');
  });

  test('invalid characters are replaced, and a hash keeps replaced names apart', () => {
    const spaced = resourceName('run', 'unit tests');
    const dashed = resourceName('run', 'unit-tests');
    assert.match(spaced, /^slipway-run-unit-tests-[0-9a-f]{8}$/);
    assert.notEqual(spaced, dashed);
    assert.match(resourceName('run', 'ünï/cödé'), /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
  });

  test('caller labels cannot override ours', () => {
    const labels = resourceLabels('r1', { 'io.slipway.run': 'other', team: 'core' }, { job: 'build' });
    assert.deepEqual(labels, {
      'io.slipway.run': 'r1',
      'io.slipway.managed': 'true',
      'io.slipway.job': 'build',
      team: 'core',
    });
  });
});
