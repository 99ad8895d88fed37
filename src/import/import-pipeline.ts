/**
 * The importer's one entry point, shared by the CLI, the API and the tests: source files in,
 * `.slipway.yml` text and the report out. Pure: nothing is read or written here.
 */
import type { Diagnostic } from '../pipeline/config/diagnostic.js';
import { loadConfig } from '../pipeline/config/load-config.js';
import { translateDaocloud } from './daocloud/translate.js';
import { formatFromContent, formatFromName } from './detect.js';
import { emitPipeline } from './emit.js';
import { translateGitlab } from './gitlab/translate.js';
import { type ImportFormat, type ImportReport, ReportBuilder } from './report.js';
import { dropReservedVariables } from './sanitize.js';
import { ImportError, parseSource, type SourceFile } from './source.js';

export { ImportError };

import { translateWoodpecker } from './woodpecker/translate.js';

export interface ImportInput {
  format?: ImportFormat;
  /** Path (as in the repository) → content. */
  files: Record<string, string>;
}

export interface ImportResult {
  format: ImportFormat;
  /** Null when nothing of the source can run in Slipway (the report says why). */
  yaml: string | null;
  report: ImportReport;
  /** What `slipway lint` says about the output (empty when it is clean). */
  lint: Diagnostic[];
}

/** Most source files and bytes one import takes: a repository's CI files, not a repository. */
export const MAX_IMPORT_FILES = 50;
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

export function importPipeline(input: ImportInput): ImportResult {
  const paths = Object.keys(input.files).sort();
  if (paths.length === 0) throw new ImportError('import.no-files', {}, 'no file to import');
  if (paths.length > MAX_IMPORT_FILES)
    throw new ImportError(
      'import.too-many-files',
      { max: MAX_IMPORT_FILES },
      `at most ${MAX_IMPORT_FILES} files`,
    );
  const bytes = paths.reduce((n, p) => n + Buffer.byteLength(input.files[p] ?? ''), 0);
  if (bytes > MAX_IMPORT_BYTES)
    throw new ImportError(
      'import.too-large',
      { max: MAX_IMPORT_BYTES },
      `the files are larger than ${MAX_IMPORT_BYTES} bytes together`,
    );

  const sources: SourceFile[] = paths.map((p) => parseSource(p, input.files[p] ?? ''));
  const format = input.format ?? detect(sources);
  const report = new ReportBuilder();
  const draft =
    format === 'gitlab'
      ? translateGitlab(sources, report)
      : format === 'woodpecker'
        ? translateWoodpecker(sources, report)
        : translateDaocloud(sources, report);
  dropReservedVariables(draft, report, sources[0]?.path ?? '');
  if (draft.stages.length === 0) {
    const file = sources[0]?.path ?? '';
    report.add({
      file,
      line: 1,
      construct: 'jobs',
      outcome: 'untranslatable',
      code: 'import.no-jobs',
      params: { file },
    });
    return { format, yaml: null, report: report.build(format), lint: [] };
  }
  const yaml = emitPipeline(draft);
  const lint = loadConfig(yaml, '.slipway.yml').diagnostics;
  return { format, yaml, report: report.build(format), lint };
}

function detect(sources: readonly SourceFile[]): ImportFormat {
  for (const s of sources) {
    const byName = formatFromName(s.path);
    if (byName) return byName;
  }
  return formatFromContent(sources[0]?.value);
}
