/**
 * The importer's corpus: real public CI files under test/import/fixtures/<family>/<slug>/
 * (`source.yml`, or `source/` for a `.woodpecker/` directory), each with the expected output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportFormat } from '../../src/import/report.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface Fixture {
  family: ImportFormat;
  slug: string;
  dir: string;
  /** Path (as it sits in a repository) → content. */
  files: Record<string, string>;
}

const MAIN_NAME: Record<ImportFormat, string> = {
  gitlab: '.gitlab-ci.yml',
  woodpecker: '.woodpecker.yml',
  daocloud: 'daocloud.yml',
};

export function corpus(): Fixture[] {
  const out: Fixture[] = [];
  for (const family of ['daocloud', 'gitlab', 'woodpecker'] as const) {
    for (const slug of readdirSync(join(FIXTURES, family)).sort()) {
      const dir = join(FIXTURES, family, slug);
      const files: Record<string, string> = {};
      if (existsSync(join(dir, 'source.yml')))
        files[MAIN_NAME[family]] = readFileSync(join(dir, 'source.yml'), 'utf8');
      else {
        for (const name of readdirSync(join(dir, 'source')).sort()) {
          files[`.woodpecker/${name}`] = readFileSync(join(dir, 'source', name), 'utf8');
        }
      }
      out.push({ family, slug, dir, files });
    }
  }
  return out;
}
