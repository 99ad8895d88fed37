import picomatch from 'picomatch';
import type { PipelineEvent } from '../../domain/event.js';
import type { ChangesNoteCode, SkipReason } from './plan.js';

/**
 * `changes:` — a job (or, with `workflow:`, the whole pipeline) runs only when one of the
 * files the event changed matches one of its globs. The changed files are data of the event
 * (the server reads them from its git mirror: push → the push's before sha; pull request → the
 * base; new branch → where it left the default branch; a manual, API or scheduled run of a
 * branch → the commit of the branch's last successful run), so compiling stays pure.
 *
 * Unknown changes never hide a job: a tag, a run of a branch that never succeeded, or an event
 * whose files could not be read runs everything. For runs somebody asked for, the job also
 * carries a note saying what was decided (`changesNote`), since nothing else would tell.
 */
const MAX_NAMED = 5;
const ASKED_FOR = new Set(['manual', 'cron', 'api']);

export function changesSkip(globs: string | string[] | undefined, event: PipelineEvent): SkipReason | null {
  if (globs === undefined) return null;
  const files = knownChanges(event);
  if (files === null) return null;
  const list = Array.isArray(globs) ? globs : [globs];
  const matches = picomatch(list, { dot: true });
  if (files.some((file) => matches(file))) return null;
  const base = event.changesBase && ASKED_FOR.has(event.kind) ? event.changesBase : null;
  return {
    code: 'changes',
    message: `no ${which(event)} matches changes: ${list.join(', ')} (${describe(files)})`,
    params: {
      globs: list,
      files: files.slice(0, MAX_NAMED),
      more: Math.max(0, files.length - MAX_NAMED),
      ...(base ? { baseRun: base.runNumber, baseSha: base.sha.slice(0, 7) } : {}),
    },
  };
}

/**
 * For manual, API and scheduled runs: why a job with `changes:` runs (the files that matched,
 * or that there was nothing to compare with). Null for other events and skipped jobs.
 */
export function changesNote(globs: string | string[] | undefined, event: PipelineEvent): ChangesNote | null {
  if (globs === undefined || !ASKED_FOR.has(event.kind) || event.changesBase === undefined) return null;
  const list = (Array.isArray(globs) ? globs : [globs]).join(', ');
  const base = event.changesBase;
  if (base === null || event.changedFiles === undefined) {
    const branch = event.ref.kind === 'branch' ? event.ref.name : '';
    return {
      text: `changes: ${list} not applied: ${branch ? `branch ${branch}` : 'this ref'} has no successful run to compare with, so the job runs`,
      code: { code: 'changes.no_base', params: { globs: list, branch } },
    };
  }
  const matches = picomatch(Array.isArray(globs) ? globs : [globs], { dot: true });
  const matched = event.changedFiles.filter((file) => matches(file));
  const baseSha = base.sha.slice(0, 7);
  return {
    text: `changes: ${list} matched ${describeList(matched)} (changed since run #${base.runNumber}, ${baseSha})`,
    code: {
      code: 'changes.matched',
      params: {
        globs: list,
        files: matched.slice(0, MAX_NAMED).join(', '),
        more: Math.max(0, matched.length - MAX_NAMED),
        baseRun: base.runNumber,
        baseSha,
      },
    },
  };
}

/** The note's English text, and its code and params for the log (domain/system-line-codes.ts). */
export interface ChangesNote {
  text: string;
  code: ChangesNoteCode;
}

/** The changed files this event's rule may judge by, or null when it filters nothing. */
function knownChanges(event: PipelineEvent): readonly string[] | null {
  const files = event.changedFiles;
  if (files === undefined) return null;
  if (event.kind === 'push' || event.kind === 'pull_request') return files;
  // Asked-for runs are compared with the last successful run; without one, nothing is known.
  return ASKED_FOR.has(event.kind) && event.changesBase ? files : null;
}

function which(event: PipelineEvent): string {
  const base = event.changesBase;
  return base && ASKED_FOR.has(event.kind)
    ? `file changed since the last successful run #${base.runNumber} (${base.sha.slice(0, 7)})`
    : 'changed file';
}

function describe(files: readonly string[]): string {
  if (files.length === 0) return 'nothing changed';
  return `changed: ${describeList(files)}`;
}

function describeList(files: readonly string[]): string {
  const named = files.slice(0, MAX_NAMED).join(', ');
  const more = files.length > MAX_NAMED ? ` and ${files.length - MAX_NAMED} more` : '';
  return `${named}${more}`;
}
