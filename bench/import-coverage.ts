/**
 * `npx tsx bench/import-coverage.ts`: how much of the real files in the importer's corpus
 * (test/import/fixtures) `slipway import` carries over, per family. A construct is one key
 * written in the source (a template's key used by several jobs counts once); "carried" is
 * translated + approximated, "exact" is translated only. Also counts outputs that pass
 * `slipway lint` with the language as it is in this checkout.
 */
import { importPipeline } from '../src/import/import-pipeline.js';
import { summarize } from '../src/import/report.js';
import { corpus } from '../test/import/corpus.js';

const rows: string[] = [];
let all: ReturnType<typeof importPipeline>['report']['entries'] = [];
for (const family of ['gitlab', 'woodpecker', 'daocloud'] as const) {
  const fixtures = corpus().filter((f) => f.family === family);
  let entries: typeof all = [];
  let lintClean = 0;
  let written = 0;
  for (const f of fixtures) {
    const result = importPipeline({ format: family, files: f.files });
    entries = entries.concat(result.report.entries);
    if (result.yaml !== null) {
      written += 1;
      if (!result.lint.some((d) => d.severity === 'error')) lintClean += 1;
    }
  }
  all = all.concat(entries);
  const s = summarize(entries);
  rows.push(
    `| ${family} | ${fixtures.length} | ${s.constructs} | ${s.translated} | ${s.approximated} | ${s.untranslatable} | ${s.carried} % | ${s.exact} % | ${lintClean}/${written} |`,
  );
}
const s = summarize(all);
rows.push(
  `| **all** | ${corpus().length} | ${s.constructs} | ${s.translated} | ${s.approximated} | ${s.untranslatable} | ${s.carried} % | ${s.exact} % | |`,
);
console.log(
  [
    '| family | files | constructs | translated | approximated | not translatable | carried over | exact | lint-clean outputs (this checkout) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n'),
);
