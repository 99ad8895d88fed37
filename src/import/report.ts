/**
 * What `slipway import` says about each construct of the source file: translated (same meaning),
 * approximated (close, with how), or untranslatable (with why). Entries carry a stable `code`
 * and parameters, never prose, so the CLI, the API and the web UI can word them in English or
 * Chinese (report-messages.ts); the line lets a reader find the construct in the source.
 */

export const IMPORT_FORMATS = ['gitlab', 'woodpecker', 'daocloud'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportOutcome = 'translated' | 'approximated' | 'untranslatable';

export type ReportParams = Record<string, string | number>;

export interface ReportEntry {
  /** Source file (as given to the importer) and 1-based line of the construct. */
  file: string;
  line: number;
  /** The construct in the source language, like `rules`, `services`, `job_type: lite_image_build`. */
  construct: string;
  /** The job (or step) it belongs to; absent for file-level constructs. */
  job?: string;
  outcome: ImportOutcome;
  /** Key of a sentence in report-messages.ts, like `gitlab.rules.if`. */
  code: string;
  params: ReportParams;
}

export interface ReportSummary {
  constructs: number;
  translated: number;
  approximated: number;
  untranslatable: number;
  /** Share of constructs carried over (translated or approximated), in percent, one decimal. */
  carried: number;
  /** Share translated with the same meaning, in percent, one decimal. */
  exact: number;
}

export interface ImportReport {
  format: ImportFormat;
  entries: ReportEntry[];
  summary: ReportSummary;
}

/** Collects entries while a translator walks the source; one per translation. */
export class ReportBuilder {
  readonly entries: ReportEntry[] = [];

  add(entry: Omit<ReportEntry, 'params'> & { params?: ReportParams }): void {
    this.entries.push({ ...entry, params: entry.params ?? {} });
  }

  /**
   * Entries sorted by place; a construct written once but used by several jobs (a template's
   * key, a `default:` key) is counted once, at the place it is written.
   */
  build(format: ImportFormat): ImportReport {
    const seen = new Set<string>();
    const once = this.entries.filter((e) => {
      const key = [e.file, e.line, e.construct, e.code, e.outcome].join('\0');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const entries = [...once].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.construct.localeCompare(b.construct),
    );
    return { format, entries, summary: summarize(entries) };
  }
}

export function summarize(entries: readonly ReportEntry[]): ReportSummary {
  const count = (o: ImportOutcome) => entries.filter((e) => e.outcome === o).length;
  const translated = count('translated');
  const approximated = count('approximated');
  const untranslatable = count('untranslatable');
  const constructs = entries.length;
  const pct = (n: number) => (constructs === 0 ? 100 : Math.round((n / constructs) * 1000) / 10);
  return {
    constructs,
    translated,
    approximated,
    untranslatable,
    carried: pct(translated + approximated),
    exact: pct(translated),
  };
}
