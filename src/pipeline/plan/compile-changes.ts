import picomatch from 'picomatch';
import type { PipelineEvent } from '../../domain/event.js';
import type { SkipReason } from './plan.js';

/**
 * `changes:` — a job (or, with `workflow:`, the whole pipeline) runs only when one of the
 * files the event changed matches one of its globs. The changed files are data of the event
 * (the server reads them from its git mirror: push → the push's before sha; pull request → the
 * base; new branch → the commit's first parent), so compiling stays pure.
 *
 * Like GitLab, the rule only filters pushes and pull requests whose changed files are known:
 * a tag, a manual, API or scheduled run asks for everything, and "unknown" must never hide a job.
 */
const MAX_NAMED = 5;

export function changesSkip(globs: string | string[] | undefined, event: PipelineEvent): SkipReason | null {
  if (globs === undefined) return null;
  const files = event.changedFiles;
  if (files === undefined || (event.kind !== 'push' && event.kind !== 'pull_request')) return null;
  const list = Array.isArray(globs) ? globs : [globs];
  const matches = picomatch(list, { dot: true });
  if (files.some((file) => matches(file))) return null;
  return {
    code: 'changes',
    message: `no changed file matches changes: ${list.join(', ')} (${describe(files)})`,
  };
}

function describe(files: readonly string[]): string {
  if (files.length === 0) return 'nothing changed';
  const named = files.slice(0, MAX_NAMED).join(', ');
  const more = files.length > MAX_NAMED ? ` and ${files.length - MAX_NAMED} more` : '';
  return `changed: ${named}${more}`;
}
