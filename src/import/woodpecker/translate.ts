/**
 * `.woodpecker.yml` or the files of `.woodpecker/` → PipelineDraft + report.
 *
 * One workflow whose steps do not use `depends_on` keeps Woodpecker's order exactly: one stage
 * per step (or per legacy `group`), so a failure stops the later steps and `status: failure`
 * steps run after it. With `depends_on`, or several workflows, the steps form a DAG: `needs`
 * edges (a workflow's first steps need the last steps of the workflows it depends on), laid out
 * in stages by depth.
 */
import { cloneFromWoodpecker, describeClone } from '../clone-settings.js';
import { ENV_NAME, splitStagesByNeeds } from '../common.js';
import type { JobDraft, PipelineDraft, ServiceDraft, StageDraft } from '../draft.js';
import { reconcileLabels } from '../gitlab/translate.js';
import type { ReportBuilder } from '../report.js';
import {
  footerComment,
  headerComment,
  isRecord,
  lineOf,
  nodeAt,
  type SourceFile,
  seqComments,
  stringList,
} from '../source.js';
import { translateStep } from './step.js';
import { translateWhen } from './when.js';

interface Step {
  name: string;
  body: Record<string, unknown>;
  path: (string | number)[];
}

interface Workflow {
  name: string;
  src: SourceFile;
  steps: Step[];
  dependsOn: string[];
  jobs: JobDraft[];
  dag: boolean;
  labels?: Record<string, string | boolean>;
}

export function translateWoodpecker(files: readonly SourceFile[], report: ReportBuilder): PipelineDraft {
  const draft: PipelineDraft = { stages: [] };
  const multi = files.length > 1;
  const workflows: Workflow[] = [];
  for (const src of files) {
    const value = isRecord(src.value) ? src.value : {};
    const base = (src.path.split('/').pop() ?? src.path).replace(/\.ya?ml$/, '').replace(/^\./, '');
    const wf: Workflow = {
      name: base,
      src,
      steps: stepsOf(value),
      dependsOn: stringList(value.depends_on) ?? [],
      jobs: [],
      dag: false,
    };
    wf.dag = wf.steps.some((s) => s.body.depends_on !== undefined);
    workflows.push(wf);
    translateWorkflowKeys(wf, value, draft, report, multi);
  }

  for (const wf of workflows) {
    const services = workflowServices(wf, report);
    const matrix = matrixOf(wf);
    for (const step of wf.steps) {
      const add = (
        key: string,
        outcome: 'translated' | 'approximated' | 'untranslatable',
        code: string,
        params: Record<string, string | number> = {},
      ) =>
        report.add({
          file: wf.src.path,
          line: lineOf(wf.src, [...step.path, key]),
          construct: key,
          job: step.name,
          outcome,
          code,
          params: { job: step.name, ...params },
        });
      const comments = seqComments(wf.src, [...step.path, 'commands']);
      const name = multi ? `${wf.name}-${step.name}` : step.name;
      const job = translateStep(name, step.body, add, comments);
      if (!job) continue;
      job.comment = stepComment(wf.src, step.path);
      if (services && job.script) job.services = services;
      if (wf.labels) job.runsOn = { ...wf.labels };
      if (matrix?.axes) job.matrix = matrix.axes;
      if (matrix?.sets) job.parallelMatrix = matrix.sets;
      const deps = stringList(step.body.depends_on);
      if (deps) job.needs = deps.map((d) => (multi ? `${wf.name}-${d}` : d));
      (job as JobDraft & { group?: string }).group =
        typeof step.body.group === 'string' ? step.body.group : undefined;
      wf.jobs.push(job);
    }
  }

  if (!multi && workflows[0] && !workflows[0].dag) {
    // Woodpecker runs the steps in order (a legacy `group` runs together): one stage each.
    const stages: StageDraft[] = [];
    let lastGroup: string | undefined;
    for (const job of workflows[0].jobs) {
      const group = (job as JobDraft & { group?: string }).group;
      delete (job as JobDraft & { group?: string }).group;
      const last = stages[stages.length - 1];
      if (group !== undefined && group === lastGroup && last) last.jobs.push(job);
      else stages.push({ name: group ?? job.name, jobs: [job] });
      lastGroup = group;
    }
    draft.stages = stages;
  } else {
    const all: JobDraft[] = [];
    const lastOf = new Map<string, string[]>();
    for (const wf of topoOrder(workflows)) {
      let previous: string[] = wf.dependsOn.flatMap((d) => lastOf.get(d) ?? []);
      for (const job of wf.jobs) {
        delete (job as JobDraft & { group?: string }).group;
        if (!wf.dag) {
          job.needs = [...previous];
          previous = [job.name];
        } else if (!job.needs || job.needs.length === 0)
          job.needs = wf.dependsOn.flatMap((d) => lastOf.get(d) ?? []);
        if (job.needs?.length === 0) delete job.needs;
        all.push(job);
      }
      lastOf.set(wf.name, wf.dag ? wf.jobs.map((j) => j.name) : previous);
    }
    const main = files[0] as SourceFile;
    draft.stages = splitStagesByNeeds([{ name: 'pipeline', jobs: all }], report, main.path, () => 1);
  }

  reconcileLabels(draft, report, files[0]?.path ?? '');
  const main = files[0];
  const header = main ? headerComment(main) : undefined;
  if (main && !multi)
    draft.footer = footerComment(main, [
      isRecord(main.value) && 'steps' in main.value ? 'steps' : 'pipeline',
    ]);
  const from = multi ? '.woodpecker/' : (main?.path ?? '.woodpecker.yml');
  draft.header = [` Imported from ${from} by \`slipway import\`; check the import report.`, header]
    .filter(Boolean)
    .join('\n\n');
  return draft;
}

function stepsOf(value: Record<string, unknown>): Step[] {
  const key = value.steps !== undefined ? 'steps' : 'pipeline';
  const steps = value[key];
  if (Array.isArray(steps)) {
    return steps.filter(isRecord).map((body, i) => ({
      name: typeof body.name === 'string' ? body.name : `step-${i + 1}`,
      body,
      path: [key, i],
    }));
  }
  if (isRecord(steps))
    return Object.entries(steps)
      .filter(([, b]) => isRecord(b))
      .map(([name, body]) => ({ name, body: body as Record<string, unknown>, path: [key, name] }));
  return [];
}

/** The comment above a step: on its key (map form) or on its item (list form). */
function stepComment(src: SourceFile, path: (string | number)[]): string | undefined {
  if (typeof path[1] === 'number') return nodeAt(src, path)?.commentBefore ?? undefined;
  const node = src.doc.getIn([path[0]], true) as
    | { items?: { key?: { value?: unknown; commentBefore?: string | null } }[] }
    | undefined;
  const pair = node?.items?.find((p) => p.key?.value === path[1]);
  return pair?.key?.commentBefore ?? undefined;
}

function translateWorkflowKeys(
  wf: Workflow,
  value: Record<string, unknown>,
  draft: PipelineDraft,
  report: ReportBuilder,
  multi: boolean,
): void {
  const add = (
    key: string,
    outcome: 'translated' | 'approximated' | 'untranslatable',
    code: string,
    params: Record<string, string | number> = {},
  ) => report.add({ file: wf.src.path, line: lineOf(wf.src, [key]), construct: key, outcome, code, params });
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case 'steps':
      case 'pipeline':
      case 'services':
      case 'matrix':
        break;
      case 'variables':
        add(key, 'translated', 'woodpecker.variables');
        break;
      case 'when': {
        const w = translateWhen(v);
        if (!multi)
          draft.workflow = {
            ...(w.only ? { only: w.only } : {}),
            ...(w.except ? { except: w.except } : {}),
            ...(w.changes ? { changes: w.changes } : {}),
          };
        else
          for (const s of wf.steps) {
            // Several workflows share one Slipway pipeline: the workflow's condition moves to its steps.
            const step = s.body;
            if (step.when === undefined) step.when = v;
          }
        if (draft.workflow && Object.keys(draft.workflow).length === 0) delete draft.workflow;
        if (w.issues.length === 0)
          add(
            key,
            multi ? 'approximated' : 'translated',
            multi ? 'woodpecker.workflow.when-steps' : 'woodpecker.workflow.when',
          );
        for (const issue of w.issues) add(key, issue.outcome, issue.code, issue.params);
        break;
      }
      case 'branches': {
        const w = translateWhen({ branch: v });
        if (w.only) draft.workflow = { ...draft.workflow, only: w.only };
        add(key, 'translated', 'woodpecker.branches');
        break;
      }
      case 'depends_on':
        add(key, 'translated', 'woodpecker.depends_on');
        break;
      case 'labels':
      case 'platform': {
        const labels: Record<string, string | boolean> =
          key === 'platform'
            ? { platform: String(v) }
            : isRecord(v)
              ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]))
              : {};
        if (multi) wf.labels = { ...wf.labels, ...labels };
        else draft.runsOn = { ...draft.runsOn, ...labels };
        add(key, 'approximated', 'woodpecker.labels');
        break;
      }
      // The git plugin's depth/tags and skip_clone become `clone:`; a custom clone step cannot.
      case 'clone':
      case 'skip_clone': {
        const checkout = cloneFromWoodpecker(
          key === 'skip_clone' ? v : undefined,
          key === 'clone' ? v : undefined,
        );
        if (checkout.clone !== undefined && !multi) draft.clone = checkout.clone;
        if (checkout.dropped.length > 0 || (multi && checkout.clone !== undefined))
          add(key, 'approximated', `woodpecker.${key}`);
        else
          add(key, 'translated', 'woodpecker.clone.carried', {
            clone: checkout.clone === undefined ? 'default' : describeClone(checkout.clone),
          });
        break;
      }
      case 'workspace':
        add(key, 'approximated', 'woodpecker.workspace');
        break;
      case 'runs_on':
        add(key, 'approximated', 'woodpecker.runs_on');
        break;
      default:
        add(key, 'untranslatable', 'woodpecker.key.unknown', { key });
    }
  }
}

function workflowServices(wf: Workflow, report: ReportBuilder): Record<string, ServiceDraft> | undefined {
  const value = isRecord(wf.src.value) ? wf.src.value.services : undefined;
  if (value === undefined) return undefined;
  const list: [string, unknown][] = Array.isArray(value)
    ? value.map((s, i) => [isRecord(s) && typeof s.name === 'string' ? s.name : `service-${i + 1}`, s])
    : isRecord(value)
      ? Object.entries(value)
      : [];
  const out: Record<string, ServiceDraft> = {};
  for (const [name, s] of list) {
    if (!isRecord(s) || typeof s.image !== 'string') continue;
    const svc: ServiceDraft = { image: s.image };
    const env = isRecord(s.environment) ? s.environment : undefined;
    if (env)
      svc.variables = Object.fromEntries(
        Object.entries(env)
          .filter(([k]) => ENV_NAME.test(k))
          .map(([k, x]) => [k, String(x)]),
      );
    const commands = stringList(s.commands);
    if (commands) svc.command = ['/bin/sh', '-c', commands.join('\n')];
    out[name.replace(/[^A-Za-z0-9_.-]/g, '-')] = svc;
  }
  report.add({
    file: wf.src.path,
    line: lineOf(wf.src, ['services']),
    construct: 'services',
    outcome: 'approximated',
    code: 'woodpecker.services',
    params: { names: Object.keys(out).join(', ') },
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

function matrixOf(wf: Workflow):
  | {
      axes?: Record<string, (string | number | boolean)[]>;
      sets?: Record<string, (string | number | boolean)[]>[];
    }
  | undefined {
  const m = isRecord(wf.src.value) ? wf.src.value.matrix : undefined;
  if (!isRecord(m)) return undefined;
  if (Array.isArray(m.include)) {
    return {
      sets: m.include
        .filter(isRecord)
        .map((set) => Object.fromEntries(Object.entries(set).map(([k, v]) => [k, [v as string]]))),
    };
  }
  return {
    axes: Object.fromEntries(
      Object.entries(m).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]) as string[]]),
    ),
  };
}

function topoOrder(workflows: Workflow[]): Workflow[] {
  const byName = new Map(workflows.map((w) => [w.name, w]));
  const out: Workflow[] = [];
  const seen = new Set<string>();
  const visit = (w: Workflow, depth: number) => {
    if (seen.has(w.name) || depth > workflows.length) return;
    seen.add(w.name);
    for (const d of w.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, depth + 1);
    }
    out.push(w);
  };
  for (const w of workflows) visit(w, 0);
  return out;
}
