/**
 * `POST /api/pipeline/import` on a real server: the translation and its report come back,
 * nothing is stored, bad input is a 400 naming the file and line, and the route is documented.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

describe('POST /api/pipeline/import', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('translates a .gitlab-ci.yml and reports each construct with its line', async () => {
    const gitlab =
      'image: node:20\ntest:\n  script:\n    - npm test\n  trigger: other/project\nlint:\n  script: npm run lint\n  resource_group: lint\n';
    const res = await t.api('/api/pipeline/import', {
      method: 'POST',
      body: JSON.stringify({ files: { '.gitlab-ci.yml': gitlab } }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      format: string;
      yaml: string;
      report: { entries: { line: number; code: string; outcome: string }[]; summary: { constructs: number } };
      lint: unknown[];
    };
    assert.equal(body.format, 'gitlab');
    assert.match(body.yaml, /lint:\n\s+script:\n\s+- npm run lint/);
    assert.doesNotMatch(body.yaml, /npm test/, 'a trigger job is left out');
    assert.deepEqual(
      body.report.entries.filter((e) => e.outcome === 'untranslatable').map((e) => [e.line, e.code]),
      [
        [5, 'gitlab.trigger'],
        [8, 'gitlab.resource_group'],
      ],
    );
    assert.deepEqual(body.lint, []);
  });

  it('answers 400 with the file and line for YAML that does not parse, and for a missing body', async () => {
    const bad = await t.api('/api/pipeline/import', {
      method: 'POST',
      body: JSON.stringify({ files: { 'daocloud.yml': 'script:\n  - a\n -b: [' } }),
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /daocloud\.yml:3:\d+/);
    const empty = await t.api('/api/pipeline/import', {
      method: 'POST',
      body: JSON.stringify({ files: {} }),
    });
    assert.equal(empty.status, 400);
    const wrongFormat = await t.api('/api/pipeline/import', {
      method: 'POST',
      body: JSON.stringify({ format: 'jenkins', files: { a: 'x: 1' } }),
    });
    assert.equal(wrongFormat.status, 400);
  });

  it('requires a signed-in user and is in the OpenAPI document', async () => {
    const anonymous = await fetch(`${t.url}/api/pipeline/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        files: { '.woodpecker.yml': 'steps:\n  a:\n    image: alpine\n    commands: [true]\n' },
      }),
    });
    assert.equal(anonymous.status, 401);
    const doc = (await (await t.api('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/pipeline/import'], 'documented');
  });
});
