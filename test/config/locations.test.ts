import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/pipeline/config/load-config.js';

/** One of each kind of mistake; every one must come back with a place to look. */
const broken: Record<string, string> = {
  empty: '',
  huge: 'x'.repeat(2 * 1024 * 1024),
  syntax: 'version: 1\nstages: [\n',
  tabs: 'version: 1\nstages:\n\t- x\n',
  duplicate: 'version: 1\nversion: 1\n',
  tag: 'version: !v 1\n',
  alias: 'a: &a [*a]\n',
  unknownAlias: 'a: *x\n',
  deep: `a: ${'['.repeat(80)}\n`,
  documents: 'a: 1\n---\nb: 2\n',
  complexKey: '? { a: 1 }\n: 2\n',
  list: '- 1\n- 2\n',
  scalar: 'hello\n',
  wrongTypes: 'version: "1"\nimage: 3\nenv: [1]\nstages: { a: 1 }\n',
  missing: 'image: x\n',
  stageShape: 'version: 1\nstages:\n  - jobs: []\n  - name: 3\n    jobs: { a: 5 }\n  - 7\n',
  jobShape:
    'version: 1\nstages:\n  - name: s\n    jobs:\n      j:\n        script: [1]\n        services: { "bad name": { image: "" } }\n        only: { foo: 1 }\n        except: 3\n        when: later\n        needs: x\n        secrets: ["A B"]\n        allow_failure: maybe\n',
  semantics:
    'version: 1\nstages:\n  - name: s\n    jobs:\n      j: { script: [], needs: [k, zz, j], timeout: x, only: ["("], except: { events: [nope] } }\n      k: { script: x, when: manual, allow_failure: true }\n  - name: s\n    jobs:\n      j: { script: y }\n',
};

describe('every diagnostic has a location', () => {
  for (const [name, text] of Object.entries(broken)) {
    it(name, () => {
      const { config, diagnostics } = loadConfig(text, 'x.yml');
      assert.equal(config, null);
      assert.ok(diagnostics.length > 0, 'at least one diagnostic');
      for (const d of diagnostics) {
        assert.ok(Number.isInteger(d.line) && d.line >= 1, `line of ${JSON.stringify(d)}`);
        assert.ok(Number.isInteger(d.col) && d.col >= 1, `col of ${JSON.stringify(d)}`);
        assert.ok(d.path !== '' || d.code !== '', `path or code of ${JSON.stringify(d)}`);
        assert.match(d.code, /^[a-z]+(-[a-z]+)*$/);
        assert.ok(d.message.length > 0);
        assert.equal(d.file, 'x.yml');
      }
    });
  }
});
