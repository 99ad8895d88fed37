/**
 * Where signing in returns a visitor (issue #14): `/sign-in?next=` follows only paths of this
 * site, so a crafted link cannot send someone elsewhere after they typed their password.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeReturnPath, signInHref } from '../../web/src/app/visitor-reads.js';

describe('sign-in return path', () => {
  it('keeps a path of this site, query and hash included', () => {
    assert.equal(safeReturnPath('/projects/web/runs/12?job=unit'), '/projects/web/runs/12?job=unit');
    assert.equal(safeReturnPath('/insights#top'), '/insights#top');
  });

  it('goes home for anything else: nothing, another host, a scheme, a backslash trick, itself', () => {
    for (const raw of [
      null,
      '',
      'projects/web',
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/sign-in?next=/x',
    ]) {
      assert.equal(safeReturnPath(raw), '/', String(raw));
    }
  });

  it('the header link carries the page, encoded, and round-trips through the query string', () => {
    assert.equal(signInHref('/'), '/sign-in');
    const href = signInHref('/projects/a b/runs/3?job=x&y=1');
    const next = new URLSearchParams(href.slice(href.indexOf('?'))).get('next');
    assert.equal(safeReturnPath(next), '/projects/a b/runs/3?job=x&y=1');
  });
});
