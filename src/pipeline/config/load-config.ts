/**
 * `.slipway.yml` text → a typed config, or the reasons it is not one.
 *
 * Three phases, each run only when the one before found no error, because the later phases
 * would mostly restate the earlier problem: YAML (syntax and budgets), shape (zod schema),
 * meaning (cross-references and domain rules). Never throws on bad input: problems are data.
 */
import { isPlainMap } from './deep-merge.js';
import { type Diagnostic, hasErrors } from './diagnostic.js';
import { expandConfig } from './expand-config.js';
import { type Included, includedSources } from './include.js';
import { createLocator } from './locate.js';
import { parseYaml, type YamlBudgets } from './parse-yaml.js';
import { configSchema, type PipelineConfig } from './schema.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { checkSemantics } from './semantics.js';

export interface LoadOptions extends YamlBudgets {
  /** The files `include:` names, gathered beforehand (include.ts collectIncludes). */
  included?: Included;
}

export interface LoadResult {
  /** Non-null only when there is no error (warnings allowed). */
  config: PipelineConfig | null;
  /** Sorted by line, then column. */
  diagnostics: Diagnostic[];
}

export function loadConfig(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  const parsed = parseYaml(text, file, opts);
  if (parsed.diagnostics.length > 0) return done(null, parsed.diagnostics, file);

  if (parsed.value === null || parsed.value === undefined) {
    const empty: Diagnostic = {
      code: 'empty-file',
      message: 'the file is empty; it needs at least `version: 1` and `stages`',
      severity: 'error',
      file,
      line: 1,
      col: 1,
      path: '',
    };
    return done(null, [empty], file);
  }

  const main = { file, value: parsed.value, locate: createLocator(parsed.doc, parsed.lineCounter) };
  const early: Diagnostic[] = [...(opts.included?.diagnostics ?? [])];
  if (isPlainMap(parsed.value) && parsed.value.include !== undefined && !opts.included) {
    const { line, col } = main.locate(['include'], 'key');
    early.push({
      code: 'include-unavailable',
      message: 'include: needs the files of the repository, which this check was not given',
      severity: 'error',
      file,
      line,
      col,
      path: 'include',
    });
  }
  const others = includedSources(opts.included ?? { files: [], diagnostics: [] });
  early.push(...others.diagnostics);
  if (hasErrors(early)) return done(null, early, file);

  const expanded = expandConfig(main, others.sources);
  const value = expanded.value;
  const result = configSchema.safeParse(value);
  if (!result.success) {
    return done(
      null,
      [
        ...early,
        ...expanded.diagnostics,
        ...schemaDiagnostics(result.error.issues, value, expanded.locate, file),
      ],
      file,
    );
  }
  if (hasErrors(expanded.diagnostics)) return done(null, [...early, ...expanded.diagnostics], file);

  const diagnostics = [
    ...early,
    ...expanded.diagnostics,
    ...checkSemantics(result.data, expanded.locate, file),
  ];
  return done(hasErrors(diagnostics) ? null : result.data, diagnostics, file);
}

function done(config: PipelineConfig | null, diagnostics: Diagnostic[], main: string): LoadResult {
  // One mistake in a template or `default:` shows in every job built from it: say it once.
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.file}\u0000${d.line}:${d.col}\u0000${d.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Array.prototype.sort is stable: problems on one spot keep the order they were found in.
  // The loaded file first, then included files by name.
  const sorted = unique.sort(
    (a, b) =>
      Number(a.file !== main) - Number(b.file !== main) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col,
  );
  return { config, diagnostics: sorted };
}
