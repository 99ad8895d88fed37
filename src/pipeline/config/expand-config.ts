/**
 * The plain value of the loaded file and the files it included → the value the schema checks:
 * files merged (assemble.ts), templates, `extends` and `default` applied (extends.ts), matrices
 * expanded (matrix.ts). The locator it returns maps every path of the result back to the file
 * and line where that part was written.
 */
import { type Assembly, assemble, stageValue } from './assemble.js';
import { isPlainMap, type PlainMap, setOwn } from './deep-merge.js';
import type { Diagnostic } from './diagnostic.js';
import { applyReuse } from './extends.js';
import type { Locator } from './locate.js';
import { expandMatrices } from './matrix.js';
import { layoutLocator, type Site, type SourceFile } from './source-map.js';

export interface Expanded {
  value: unknown;
  locate: Locator;
  diagnostics: Diagnostic[];
}

export function expandConfig(main: SourceFile, included: readonly SourceFile[]): Expanded {
  const { value } = main;
  if (!isPlainMap(value)) return { value, locate: main.locate, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  for (const source of included) {
    if (isPlainMap(source.value) || source.value === null) continue;
    diagnostics.push({
      code: 'include-not-mapping',
      message: `included file ${source.file} must hold a mapping of keys, like the pipeline file itself`,
      severity: 'error',
      file: source.file,
      line: 1,
      col: 1,
      path: '',
    });
  }
  const assembly: Assembly = assemble({ ...main, value }, included);
  diagnostics.push(...applyReuse(assembly));
  if (assembly.stages) diagnostics.push(...expandMatrices(assembly.stages));

  const out: PlainMap = {};
  for (const [key, v] of Object.entries(assembly.top)) setOwn(out, key, v);
  const stages = assembly.stages;
  if (stages) setOwn(out, 'stages', stages.map(stageValue));
  else if (assembly.rawStages !== undefined) setOwn(out, 'stages', assembly.rawStages);

  const locate = layoutLocator({
    files: assembly.topFiles,
    stages: (stages ?? []).map((s): Site => s.site),
    jobs: (stages ?? []).map((s) => new Map(s.jobs.map((j) => [j.name, j.sites]))),
  });
  return { value: out, locate, diagnostics };
}
