import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';
import { gitflowClass } from '../../src/domain/gitflow.js';
import { parseRef, recordName } from '../../src/domain/ref.js';
import { aggregateStatus, canTransition, STATUSES, statusIcon } from '../../src/domain/status.js';

test('record names follow the execution records table', () => {
  assert.equal(
    recordName({ kind: 'branch', name: 'feature/integration_test' }, '69eb5e8abc'),
    'feature-integration_test-69eb5e8',
  );
  assert.equal(recordName({ kind: 'branch', name: 'main' }, '0123456789'), 'main-0123456');
  assert.equal(recordName({ kind: 'tag', name: 'v1.2.0' }, '0123456789'), 'v1.2.0');
});

test('refs parse from full and short names', () => {
  assert.deepEqual(parseRef('refs/heads/feature/x'), { kind: 'branch', name: 'feature/x' });
  assert.deepEqual(parseRef('refs/tags/v1'), { kind: 'tag', name: 'v1' });
  assert.deepEqual(parseRef('develop'), { kind: 'branch', name: 'develop' });
});

test('every GitFlow class is recognised', () => {
  const b = (name: string) => gitflowClass({ kind: 'branch', name });
  assert.equal(b('main'), 'main');
  assert.equal(b('master'), 'main');
  assert.equal(b('develop'), 'develop');
  assert.equal(b('feature/login'), 'feature');
  assert.equal(b('release/1.2'), 'release');
  assert.equal(b('hotfix/crash'), 'hotfix');
  assert.equal(gitflowClass({ kind: 'tag', name: 'v1.0.0' }), 'tag');
  assert.equal(b('experiment'), null);
  assert.equal(b('mainline'), null);
});

test('durations parse and print in the table wording', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1h 30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('10'), null);
  assert.equal(parseDuration('ten minutes'), null);
  assert.equal(formatDuration(349_000), '5 min 49 s');
  assert.equal(formatDuration(820), '820 ms');
  assert.equal(formatDuration(2_500), '2.5 s');
});

test('the state machine is closed and terminal states are final', () => {
  for (const s of STATUSES) assert.ok(statusIcon(s).length > 0);
  assert.ok(canTransition('queued', 'running'));
  assert.ok(!canTransition('succeeded', 'running'));
  assert.ok(!canTransition('skipped', 'queued'));
  assert.equal(aggregateStatus(['succeeded', 'failed']), 'failed');
  assert.equal(aggregateStatus(['succeeded', 'manual']), 'succeeded');
  assert.equal(aggregateStatus(['skipped', 'skipped']), 'skipped');
  assert.equal(aggregateStatus(['succeeded', 'running']), 'running');
});
