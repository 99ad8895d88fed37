/**
 * `.slipway.yml` text → a typed config, or the reasons it is not one.
 *
 * Three phases, each run only when the one before found no error, because the later phases
 * would mostly restate the earlier problem: YAML (syntax and budgets), shape (zod schema),
 * meaning (cross-references and domain rules). Never throws on bad input: problems are data.
 */
import { type Diagnostic, hasErrors } from './diagnostic.js';
import { createLocator } from './locate.js';
import { parseYaml, type YamlBudgets } from './parse-yaml.js';
import { configSchema, type PipelineConfig } from './schema.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { checkSemantics } from './semantics.js';

export type LoadOptions = YamlBudgets;

export interface LoadResult {
  /** Non-null only when there is no error (warnings allowed). */
  config: PipelineConfig | null;
  /** Sorted by line, then column. */
  diagnostics: Diagnostic[];
}

export function loadConfig(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  const parsed = parseYaml(text, file, opts);
  if (parsed.diagnostics.length > 0) return done(null, parsed.diagnostics);

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
    return done(null, [empty]);
  }

  const locate = createLocator(parsed.doc, parsed.lineCounter);
  const result = configSchema.safeParse(parsed.value);
  if (!result.success) return done(null, schemaDiagnostics(result.error.issues, parsed.value, locate, file));

  const diagnostics = checkSemantics(result.data, locate, file);
  return done(hasErrors(diagnostics) ? null : result.data, diagnostics);
}

function done(config: PipelineConfig | null, diagnostics: Diagnostic[]): LoadResult {
  // Array.prototype.sort is stable: problems on one spot keep the order they were found in.
  const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  return { config, diagnostics: sorted };
}
