/** Step folding and search of the log viewer (pure functions, no browser). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STEP_MARKER as RUNTIME_MARKER } from '../../src/runtime/job-script.js';
import { findSteps, STEP_MARKER, stepOf, visibleRows } from '../../web/src/log/fold.js';
import { findMatches, markRanges, stepMatch } from '../../web/src/log/search.js';

const step = (cmd: string) => `${STEP_MARKER}${cmd}\u001b[0m`;

describe('fold', () => {
  test('the marker is the one the runtime echoes', () => {
    assert.equal(STEP_MARKER, RUNTIME_MARKER);
  });

  test('each echoed command starts a step that runs to the next one', () => {
    const texts = ['pulling image', step('echo a'), 'a', step('echo b'), 'b', 'b2'];
    const steps = findSteps(texts);
    assert.deepEqual(steps, [
      { header: 1, end: 3 },
      { header: 3, end: 6 },
    ]);
    assert.equal(stepOf(steps, 0), undefined);
    assert.deepEqual(stepOf(steps, 2), steps[0]);
    assert.deepEqual(stepOf(steps, 5), steps[1]);
    // A user's own "$ " output is not a step; only the runtime's coloured echo is.
    assert.deepEqual(findSteps(['$ not a step']), []);
  });

  test('a collapsed step shows only its header', () => {
    const texts = ['pre', step('one'), 'x', 'y', step('two'), 'z'];
    const steps = findSteps(texts);
    assert.deepEqual(visibleRows(texts.length, steps, new Set()), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(visibleRows(texts.length, steps, new Set([1])), [0, 1, 4, 5]);
    assert.deepEqual(visibleRows(texts.length, steps, new Set([1, 4])), [0, 1, 4]);
  });
});

describe('search', () => {
  test('case-insensitive matches, several per line, in order', () => {
    const matches = findMatches(['Error: x', 'no', 'error error'], 'ERROR');
    assert.deepEqual(matches, [
      { line: 0, start: 0, end: 5 },
      { line: 2, start: 0, end: 5 },
      { line: 2, start: 6, end: 11 },
    ]);
    assert.deepEqual(findMatches(['abc'], ''), []);
    assert.equal(findMatches(['aaaa'], 'a', 3).length, 3);
  });

  test('next and previous wrap around', () => {
    assert.equal(stepMatch(0, -1, 1), -1);
    assert.equal(stepMatch(3, -1, 1), 0);
    assert.equal(stepMatch(3, -1, -1), 2);
    assert.equal(stepMatch(3, 2, 1), 0);
    assert.equal(stepMatch(3, 0, -1), 2);
  });

  test('matches split styled spans without changing the text', () => {
    const spans = [{ text: 'hello ', fg: 'red' }, { text: 'world' }];
    const out = markRanges(spans, [{ start: 4, end: 8, current: true }]);
    assert.deepEqual(out, [
      { text: 'hell', fg: 'red' },
      { text: 'o ', fg: 'red', mark: 'current' },
      { text: 'wo', mark: 'current' },
      { text: 'rld' },
    ]);
    assert.equal(out.map((s) => s.text).join(''), 'hello world');
  });
});
