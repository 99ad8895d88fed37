/**
 * Golden tests of `slipway import` over the corpus of real files: the translated `.slipway.yml`
 * and the report must equal the reviewed ones (`UPDATE_GOLDEN=1` rewrites them after a reviewed
 * change), every report sentence must exist in both languages, and every expected output must
 * pass the real linter.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importPipeline } from '../../src/import/import-pipeline.js';
import { IMPORT_REPORT_MESSAGES } from '../../src/import/report-messages.js';
import { formatDiagnostics } from '../../src/pipeline/config/format-diagnostics.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { corpus } from './corpus.js';

const update = process.env.UPDATE_GOLDEN === '1';
const fixtures = corpus();

describe('import corpus', () => {
  it('holds at least 30 real files, about ten of each family', () => {
    assert.ok(fixtures.length >= 30, `${fixtures.length} fixtures`);
    for (const family of ['daocloud', 'gitlab', 'woodpecker']) {
      assert.ok(fixtures.filter((f) => f.family === family).length >= 10, family);
    }
    for (const f of fixtures)
      assert.ok(existsSync(join(f.dir, 'SOURCE.md')), `${f.family}/${f.slug} says where it comes from`);
  });

  for (const fixture of fixtures) {
    it(`${fixture.family}/${fixture.slug}: output and report equal the reviewed ones`, () => {
      const result = importPipeline({ format: fixture.family, files: fixture.files });
      const yamlPath = join(fixture.dir, 'expected.slipway.yml');
      const reportPath = join(fixture.dir, 'expected-report.json');
      const reportText = `${JSON.stringify(result.report, null, 2)}\n`;
      if (update) {
        if (result.yaml === null) rmSync(yamlPath, { force: true });
        else writeFileSync(yamlPath, result.yaml);
        writeFileSync(reportPath, reportText);
      }
      assert.equal(result.yaml, existsSync(yamlPath) ? readFileSync(yamlPath, 'utf8') : null);
      assert.deepEqual(JSON.parse(reportText), JSON.parse(readFileSync(reportPath, 'utf8')));
      for (const entry of result.report.entries) {
        assert.ok(IMPORT_REPORT_MESSAGES.en[entry.code], `English sentence for ${entry.code}`);
        assert.ok(IMPORT_REPORT_MESSAGES['zh-CN'][entry.code], `Chinese sentence for ${entry.code}`);
        assert.ok(entry.line >= 1, `${entry.code} has a line`);
      }
    });
  }

  for (const fixture of fixtures) {
    const yamlPath = join(fixture.dir, 'expected.slipway.yml');
    if (!existsSync(yamlPath)) continue;
    it(`${fixture.family}/${fixture.slug}: the expected output passes slipway lint`, () => {
      const text = readFileSync(yamlPath, 'utf8');
      const errors = loadConfig(text, '.slipway.yml').diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 0, formatDiagnostics(errors, text, { color: false }));
    });
  }
});
