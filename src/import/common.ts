/**
 * Small translations every family needs: names to anchored patterns, durations, service host
 * names, and splitting a stage whose jobs need each other (Slipway's `needs` point to earlier
 * stages only).
 */
import type { JobDraft, StageDraft } from './draft.js';
import type { ReportBuilder } from './report.js';

const GITFLOW_WORDS = new Set(['main', 'develop', 'feature', 'release', 'hotfix', 'tag']);

/** A branch or tag name as a pattern that matches exactly it (filters are anchored regexes). */
export function literalPattern(name: string): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A bare GitFlow word would mean a class (main = main or master): anchor it to mean the name.
  return GITFLOW_WORDS.has(escaped) ? `^${escaped}$` : escaped;
}

/** A GitLab `/regex/` (unanchored, maybe with flags) as an anchored pattern. */
export function slashRegexPattern(text: string): { pattern: string; flags: string } | null {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text.trim());
  if (!m) return null;
  let body = m[1] as string;
  const start = body.startsWith('^');
  const end = body.endsWith('$') && !body.endsWith('\\$');
  if (start) body = body.slice(1);
  if (end) body = body.slice(0, -1);
  const pattern = `${start ? '' : '.*'}${body}${end ? '' : '.*'}`;
  return { pattern, flags: m[2] as string };
}

const REGEX_SPECIAL = new Set(['.', '+', '^', '$', '{', '}', '(', ')', '|', '[', ']', '\\']);

/** A Woodpecker/Drone glob over branch names (`release/*`, `feature/**`) as a pattern. */
export function globPattern(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') i += 1;
      out += '.*';
    } else if (c === '?') out += '.';
    else if (REGEX_SPECIAL.has(c)) out += `\\${c}`;
    else out += c;
  }
  return GITFLOW_WORDS.has(out) ? `^${out}$` : out;
}

/** GitLab/DaoCloud durations (`1h 30m`, `3 hours`, `90 minutes`, `1 day`) as `1h30m`; null if not one. */
export function duration(text: string): string | null {
  const units: Record<string, string> = {
    s: 's',
    sec: 's',
    second: 's',
    m: 'm',
    min: 'm',
    minute: 'm',
    h: 'h',
    hr: 'h',
    hour: 'h',
    d: 'd',
    day: 'd',
  };
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  const re = /(\d+)\s*([a-z]+)/gi;
  let rest = text.trim();
  if (/^\d+$/.test(rest)) return `${rest}s`;
  for (const m of text.matchAll(re)) {
    const word = (m[2] as string).toLowerCase().replace(/s$/, '');
    const unit = units[word];
    if (!unit) return null;
    const n = Number(m[1]);
    if (unit === 'd') hours += 24 * n;
    else if (unit === 'h') hours += n;
    else if (unit === 'm') minutes += n;
    else seconds += n;
    rest = rest.replace(m[0], '');
  }
  if (rest.replace(/[\s,and]+/g, '') !== '' || hours + minutes + seconds === 0) return null;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
}

/** Host name a service image gets without an alias, the way GitLab names it (`tutum/wordpress` → `tutum-wordpress`). */
export function serviceHost(image: string): string {
  const withoutTag = image.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  const host = withoutTag
    .replace(/\//g, '-')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return host.slice(0, 63) || 'service';
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Slipway's `needs` may only name jobs of earlier stages. A stage whose jobs need each other
 * (GitLab's same-stage needs, Woodpecker's depends_on) is split into consecutive stages by depth:
 * `build`, `build-2`, … — the order the DAG asks for, with every `needs` kept.
 */
export function splitStagesByNeeds(
  stages: StageDraft[],
  report: ReportBuilder,
  file: string,
  lineOfJob: (job: string) => number,
): StageDraft[] {
  const stageOf = new Map<string, number>();
  stages.forEach((s, i) => {
    for (const j of s.jobs) stageOf.set(j.name, i);
  });
  const out: StageDraft[] = [];
  const used = new Set(stages.map((s) => s.name));
  stages.forEach((stage, index) => {
    const byName = new Map(stage.jobs.map((j) => [j.name, j]));
    const depth = new Map<string, number>();
    const visiting = new Set<string>();
    const depthOf = (job: JobDraft): number => {
      const known = depth.get(job.name);
      if (known !== undefined) return known;
      if (visiting.has(job.name)) return 0;
      visiting.add(job.name);
      let d = 0;
      for (const need of job.needs ?? []) {
        const other = byName.get(need);
        if (other) d = Math.max(d, depthOf(other) + 1);
      }
      visiting.delete(job.name);
      depth.set(job.name, d);
      return d;
    };
    for (const job of stage.jobs) {
      job.needs = job.needs?.filter((need) => {
        const at = stageOf.get(need);
        if (at === undefined || at > index) {
          report.add({
            file,
            line: lineOfJob(job.name),
            construct: 'needs',
            job: job.name,
            outcome: 'approximated',
            code: at === undefined ? 'common.needs.unknown' : 'common.needs.later',
            params: { job: job.name, need },
          });
          return false;
        }
        return true;
      });
    }
    const levels: JobDraft[][] = [];
    for (const job of stage.jobs) {
      const d = depthOf(job);
      const level = levels[d] ?? [];
      level.push(job);
      levels[d] = level;
    }
    levels.forEach((jobs, level) => {
      if (!jobs) return;
      let name = level === 0 ? stage.name : `${stage.name}-${level + 1}`;
      while (level > 0 && used.has(name)) name = `${name}'`;
      used.add(name);
      out.push({ name, jobs });
    });
  });
  return out;
}
