import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, suggest } from '../../src/pipeline/config/suggest.js';

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('scirpt', 'script'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('stops early beyond the limit', () => {
    assert.equal(editDistance('a', 'abcdefgh', 2), 3);
  });
});

describe('suggest', () => {
  const jobKeys = ['image', 'script', 'env', 'secrets', 'services', 'only', 'except', 'timeout', 'needs'];

  it('finds typos', () => {
    assert.equal(suggest('scirpt', jobKeys), 'script');
    assert.equal(suggest('imgae', jobKeys), 'image');
    assert.equal(suggest('Script', jobKeys), 'script');
    assert.equal(suggest('servces', jobKeys), 'services');
  });

  it('does not guess wildly', () => {
    assert.equal(suggest('artifacts', jobKeys), null);
    assert.equal(suggest('x', jobKeys), null);
    assert.equal(suggest('script', jobKeys), null, 'an exact match is not a suggestion');
  });
});
