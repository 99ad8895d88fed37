/**
 * The `.slipway.yml` of a commit with its diagnostics, as the pipeline page shows it, kept per
 * (project, commit sha). A commit's file never changes, so neither does its answer; without
 * this every viewer's request read and parsed the file again, and a few viewers of a large or
 * hostile file kept the server busy for seconds. Concurrent requests for one commit share one
 * read and parse (the cache holds the promise); a failed one is forgotten so the next retries.
 */

import type { Diagnostic } from '../../pipeline/config/diagnostic.js';
import { LruMap } from '../logs/lru-map.js';
import type { SourceService } from '../services.js';
import type { ProjectRow } from '../store/tables.js';
import { includedFiles } from './config-includes.js';
import type { ConfigLoader } from './config-loader.js';
import { CONFIG_FILE } from './plan-source.js';

/** Commits remembered; each holds at most one file of the size limit (1 MiB) and its problems. */
export const PIPELINE_VIEWS_KEPT = 32;

export interface PipelineView {
  /** Null when the commit has no `.slipway.yml`. */
  text: string | null;
  diagnostics: Diagnostic[];
}

export class PipelineViews {
  private readonly views: LruMap<string, Promise<PipelineView>>;

  constructor(
    private readonly deps: { sources: SourceService; configs: ConfigLoader },
    kept = PIPELINE_VIEWS_KEPT,
  ) {
    this.views = new LruMap(kept);
  }

  get(project: ProjectRow, sha: string): Promise<PipelineView> {
    const key = `${project.id}:${sha}`;
    const known = this.views.get(key);
    if (known) return known;
    const view = this.read(project, sha);
    this.views.set(key, view);
    view.catch(() => this.views.delete(key));
    return view;
  }

  private async read(project: ProjectRow, sha: string): Promise<PipelineView> {
    const text = await this.deps.sources.readFile(project, sha, CONFIG_FILE);
    if (text === null) return { text, diagnostics: [] };
    try {
      const included = await includedFiles(this.deps.sources, project, sha, CONFIG_FILE, text);
      const { diagnostics } = await this.deps.configs.load(text, CONFIG_FILE, included);
      return { text, diagnostics };
    } catch {
      // The parser thread gave up (its heap): an answer about the file, kept like any other.
      const message = `${CONFIG_FILE} could not be parsed within the server's limits; make it smaller or simpler`;
      const diagnostic: Diagnostic = {
        code: 'file-too-complex',
        message,
        severity: 'error',
        file: CONFIG_FILE,
        line: 1,
        col: 1,
        path: '',
      };
      return { text, diagnostics: [diagnostic] };
    }
  }
}
