/**
 * Checkout settings of imported pipelines: GitLab's GIT_* variables and Woodpecker's
 * skip_clone / git plugin settings become `clone:` where Slipway has an equivalent, and what has
 * none is reported as dropped. Each output is also checked by the real linter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { cloneFromGitlabVariables, cloneFromWoodpecker } from '../../src/import/clone-settings.js';
import { importPipeline } from '../../src/import/import-pipeline.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';

function imported(format: 'gitlab' | 'woodpecker', file: string, text: string) {
  const r = importPipeline({ format, files: { [file]: text } });
  assert.ok(r.yaml, 'a pipeline was written');
  const lint = loadConfig(r.yaml, '.slipway.yml');
  const errors = lint.diagnostics.filter((d) => d.severity === 'error');
  assert.ok(lint.config && errors.length === 0, `the output lints: ${JSON.stringify(errors)}`);
  return { doc: parse(r.yaml) as { clone?: unknown }, codes: r.report.entries.map((e) => e.code) };
}

describe('clone settings on import', () => {
  it('GitLab: GIT_DEPTH becomes clone.depth, GIT_STRATEGY none becomes clone: false', () => {
    const depth = imported(
      'gitlab',
      '.gitlab-ci.yml',
      'variables:\n  GIT_DEPTH: "10"\ntest:\n  script: make\n',
    );
    assert.deepEqual(depth.doc.clone, { depth: 10 });
    assert.ok(depth.codes.includes('gitlab.variables.clone'));
    const none = imported(
      'gitlab',
      '.gitlab-ci.yml',
      'variables:\n  GIT_STRATEGY: none\n  GIT_DEPTH: 3\ntest:\n  script: make\n',
    );
    assert.equal(none.doc.clone, false, 'no checkout wins over a depth');
  });

  it('GitLab: submodules, the clone path and a depth from a variable are reported as dropped', () => {
    const out = cloneFromGitlabVariables({
      GIT_SUBMODULE_STRATEGY: 'recursive',
      GIT_CLONE_PATH: '$CI_BUILDS_DIR/x',
      GIT_DEPTH: '$DEPTH',
    });
    assert.equal(out.clone, undefined);
    assert.deepEqual(out.dropped.sort(), ['GIT_CLONE_PATH', 'GIT_DEPTH', 'GIT_SUBMODULE_STRATEGY']);
    assert.deepEqual(cloneFromGitlabVariables({ GIT_SUBMODULE_STRATEGY: 'none' }).dropped, []);
  });

  it('Woodpecker: skip_clone becomes clone: false; the git plugin depth and tags are carried', () => {
    const skip = imported(
      'woodpecker',
      '.woodpecker.yml',
      'skip_clone: true\nsteps:\n  - name: t\n    image: alpine\n    commands: [ls]\n',
    );
    assert.equal(skip.doc.clone, false);
    const plugin = imported(
      'woodpecker',
      '.woodpecker.yml',
      'clone:\n  - name: git\n    image: woodpeckerci/plugin-git\n    settings:\n      depth: 10\n      tags: true\nsteps:\n  - name: t\n    image: alpine\n    commands: [git describe --tags]\n',
    );
    assert.deepEqual(plugin.doc.clone, { depth: 10, tags: true });
    assert.ok(plugin.codes.includes('woodpecker.clone.carried'));
  });

  it('Woodpecker: a custom clone step (own image and commands) is dropped, not guessed', () => {
    const out = cloneFromWoodpecker(undefined, { git: { image: 'bash', commands: ['git clone x'] } });
    assert.equal(out.clone, undefined);
    assert.deepEqual(out.dropped, ['clone']);
    const partial = cloneFromWoodpecker(undefined, [
      { image: 'woodpeckerci/plugin-git', settings: { depth: 5, partial: true } },
    ]);
    assert.deepEqual(partial.clone, { depth: 5 }, 'what Slipway has is still carried');
    assert.deepEqual(partial.dropped, ['clone'], 'the rest is reported');
  });
});
