import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('schema/slipway.schema.json', () => {
  it('is up to date with the zod schema', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/write-schema.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
  });

  it('names itself and forbids unknown keys', () => {
    const schema = JSON.parse(readFileSync(`${root}schema/slipway.schema.json`, 'utf8'));
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.ok(schema.$id);
    assert.ok(schema.title);
    assert.deepEqual(schema.required, ['version', 'stages']);
    assert.equal(schema.additionalProperties, false);
  });
});
