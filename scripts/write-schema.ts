/**
 * Writes `schema/slipway.schema.json`, the JSON Schema of `.slipway.yml`, from the zod schema
 * (the single source of truth). Editors use it for completion and inline checks.
 *
 *   tsx scripts/write-schema.ts          regenerate the file
 *   tsx scripts/write-schema.ts --check  exit 1 if the committed file is stale (run in CI)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../src/pipeline/config/schema.js';

// Where the schema will be published; editors key their cache on it. Change it with the docs.
const SCHEMA_ID = 'urn:slipway:schema:pipeline:v1';
const target = fileURLToPath(new URL('../schema/slipway.schema.json', import.meta.url));

function render(): string {
  const { $schema, ...body } = z.toJSONSchema(configSchema, {
    target: 'draft-2020-12',
    // What authors write, not what the parser hands on.
    io: 'input',
    // Shared pieces (env maps, filters) stay inline: zod would name them `__schema0`, `__schema1`
    // in $defs, which makes editor hovers and validation messages unreadable.
    reused: 'inline',
  });
  const document = {
    $schema,
    $id: SCHEMA_ID,
    title: 'Slipway pipeline',
    description: 'The pipeline definition of a repository, `.slipway.yml` (version 1).',
    ...body,
    // Templates: top-level keys starting with `.` (hidden jobs for `extends:`, never run). Zod
    // has no pattern keys; they are stripped before validation (pipeline/config/assemble.ts).
    patternProperties: {
      '^\\.': {
        type: 'object',
        description: 'A template for `extends:` (a hidden job, never run); it may be partial.',
      },
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const fresh = render();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== fresh) {
    console.error('schema/slipway.schema.json is out of date; run `npm run schema` and commit the result.');
    process.exit(1);
  }
  console.log('schema/slipway.schema.json is up to date.');
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fresh);
  console.log(`wrote ${target}`);
}
