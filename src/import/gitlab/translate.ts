/**
 * `.gitlab-ci.yml` (plus the files it includes with `include: local`) → PipelineDraft + report.
 */
import { cloneFromGitlabVariables, describeClone } from '../clone-settings.js';
import { splitStagesByNeeds } from '../common.js';
import type { JobDraft, PipelineDraft, StageDraft, WorkflowDraft } from '../draft.js';
import type { ReportBuilder } from '../report.js';
import {
  commentAbove,
  footerComment,
  headerComment,
  isRecord,
  lineOf,
  type SourceFile,
  seqComments,
  stringList,
} from '../source.js';
import { JobReporter } from './context.js';
import { applyRules, translateJob } from './job.js';
import { variables } from './keys.js';
import { DEFAULT_KEYS, type Origin, resolveGitlab } from './resolve.js';

const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

/** The image GitLab.com's hosted Linux runners use for a job that names none. */
const RUNNER_DEFAULT_IMAGE = 'ruby:3.1';

export function translateGitlab(files: readonly SourceFile[], report: ReportBuilder): PipelineDraft {
  const main = files.find((f) => /(^|\/)\.gitlab-ci\.ya?ml$/.test(f.path)) ?? (files[0] as SourceFile);
  const others = new Map(files.filter((f) => f !== main).map((f) => [f.path, f]));
  const cfg = resolveGitlab(main, others, report);
  const at = (key: string) => {
    const o = cfg.topOrigins.get(key);
    return { file: (o?.file ?? main).path, line: lineOf(o?.file ?? main, [key]) };
  };
  const top = (
    key: string,
    outcome: 'translated' | 'approximated' | 'untranslatable',
    code: string,
    params: Record<string, string | number> = {},
  ) => report.add({ ...at(key), construct: key, outcome, code, params });

  const draft: PipelineDraft = { stages: [] };

  const stageList = stringList(cfg.top.stages ?? cfg.top.types) ?? DEFAULT_STAGES;
  if (cfg.top.stages !== undefined || cfg.top.types !== undefined)
    top(cfg.top.stages ? 'stages' : 'types', 'translated', 'gitlab.stages');

  if (cfg.top.variables !== undefined) {
    let approx = '';
    const vars = variables(cfg.top.variables, (code) => {
      approx ||= code;
    });
    const git: Record<string, string> = {};
    for (const name of [
      'GIT_DEPTH',
      'GIT_SUBMODULE_STRATEGY',
      'GIT_STRATEGY',
      'GIT_CLONE_PATH',
      'GIT_SUBMODULE_DEPTH',
    ]) {
      if (name in vars) {
        git[name] = String(vars[name]);
        delete vars[name];
      }
    }
    if (Object.keys(vars).length > 0) draft.variables = vars;
    // GIT_STRATEGY/GIT_DEPTH become `clone:`; submodules and the clone path have no equivalent.
    const checkout = cloneFromGitlabVariables(git);
    if (checkout.clone !== undefined) draft.clone = checkout.clone;
    if (approx) top('variables', 'approximated', approx);
    else if (checkout.dropped.length > 0)
      top('variables', 'approximated', 'gitlab.variables.git', { names: checkout.dropped.join(', ') });
    else top('variables', 'translated', 'gitlab.variables');
    if (checkout.carried.length > 0)
      top('variables', 'translated', 'gitlab.variables.clone', {
        names: checkout.carried.join(', '),
        clone: checkout.clone === undefined ? 'default' : describeClone(checkout.clone),
      });
  }

  // The pipeline-wide image is written once at the top (Slipway's own `image:`), not per job.
  const defaultImage = cfg.defaults.image;
  const imageOrigin = cfg.defaultOrigins.get('image');
  if (defaultImage !== undefined && imageOrigin) {
    const name =
      typeof defaultImage === 'string'
        ? defaultImage
        : isRecord(defaultImage)
          ? String(defaultImage.name ?? '')
          : '';
    if (name) draft.image = name;
    report.add({
      file: imageOrigin.file.path,
      line: lineOf(imageOrigin.file, [...imageOrigin.owner, 'image']),
      construct: 'image',
      outcome: name ? 'translated' : 'untranslatable',
      code: name ? 'gitlab.image' : 'gitlab.value.invalid',
      params: {},
    });
  }
  if (isRecord(cfg.top.default)) top('default', 'translated', 'gitlab.default');

  if (cfg.top.workflow !== undefined)
    translateWorkflow(cfg.top.workflow, draft, (key, outcome, code, params) => {
      const o = cfg.topOrigins.get('workflow');
      const file = o?.file ?? main;
      report.add({
        file: file.path,
        line: lineOf(file, ['workflow', key]),
        construct: `workflow:${key}`,
        outcome,
        code,
        params: params ?? {},
      });
    });
  if (cfg.top.spec !== undefined) top('spec', 'untranslatable', 'gitlab.spec');

  for (const t of cfg.templates) {
    report.add({
      file: t.home.file.path,
      line: lineOf(t.home.file, [t.name]),
      construct: 'hidden job',
      job: t.name,
      outcome: 'translated',
      code: 'gitlab.template',
      params: { job: t.name },
    });
  }

  const byStage = new Map<string, JobDraft[]>(stageList.map((s) => [s, []]));
  for (const resolved of cfg.jobs) {
    const body = withDefaults(resolved.body, resolved.origins, cfg.defaults, cfg.defaultOrigins);
    const r = new JobReporter(report, resolved.name, body.origins, resolved.home);
    const commentsOf = (key: string) => {
      const o = body.origins.get(key);
      return o ? seqComments(o.file, [...o.owner, key]) : undefined;
    };
    const { job, stage } = translateJob(resolved.name, body.body, r, commentsOf);
    if (!job) continue;
    if (job.image === draft.image && !r.isOwn('image')) delete job.image;
    // GitLab lets the runner pick the image of a job without one; Slipway needs it written.
    if (!job.image && !draft.image && job.script && !job.build && !job.deploy) {
      job.image = RUNNER_DEFAULT_IMAGE;
      r.approx('image', 'gitlab.image.runner-default', { image: RUNNER_DEFAULT_IMAGE });
    }
    job.comment = commentAbove(resolved.home.file, resolved.name);
    if (!byStage.has(stage)) {
      byStage.set(stage, []);
      r.approx('stage', 'gitlab.stage.undeclared', { stage });
    }
    byStage.get(stage)?.push(job);
  }

  const stages: StageDraft[] = [];
  for (const [name, jobs] of byStage) {
    if (jobs.length === 0) continue;
    stages.push({ name: name.replace(/^\.(pre|post)$/, '$1'), jobs });
  }
  const homes = new Map(cfg.jobs.map((j) => [j.name, j.home]));
  draft.stages = splitStagesByNeeds(stages, report, main.path, (job) => {
    const h = homes.get(job);
    return h ? lineOf(h.file, [job, 'needs']) : 1;
  });
  reconcileLabels(draft, report, main.path);
  const header = headerComment(main);
  draft.footer = footerComment(main);
  draft.topComments = {
    ...(draft.image ? { image: commentAbove(main, 'image') } : {}),
    ...(draft.variables ? { variables: commentAbove(main, 'variables') } : {}),
  };
  draft.header = [` Imported from ${main.path} by \`slipway import\`; check the import report.`, header]
    .filter(Boolean)
    .join('\n\n');
  return draft;
}

/** `default:` (and the old global keys) under the job's own keys, as `inherit:` allows. */
function withDefaults(
  body: Record<string, unknown>,
  origins: Map<string, Origin>,
  defaults: Record<string, unknown>,
  defaultOrigins: Map<string, Origin>,
): { body: Record<string, unknown>; origins: Map<string, Origin> } {
  const inherit = isRecord(body.inherit) ? body.inherit.default : undefined;
  const allowed = (key: string) =>
    inherit === undefined || inherit === true || (Array.isArray(inherit) && inherit.includes(key));
  const out = { ...body };
  const outOrigins = new Map(origins);
  for (const key of DEFAULT_KEYS) {
    if (key === 'image' || key in out || !(key in defaults) || !allowed(key)) continue;
    out[key] = defaults[key];
    outOrigins.set(key, defaultOrigins.get(key) as Origin);
  }
  return { body: out, origins: outOrigins };
}

function translateWorkflow(
  value: unknown,
  draft: PipelineDraft,
  add: (
    key: string,
    outcome: 'translated' | 'approximated' | 'untranslatable',
    code: string,
    params?: Record<string, string | number>,
  ) => void,
): void {
  if (!isRecord(value)) return;
  const workflow: Parameters<typeof applyRules>[0] = {};
  for (const key of Object.keys(value)) {
    if (key === 'rules') {
      applyRules(
        workflow,
        value.rules,
        {
          ok: (k, code, params) => add(k, 'translated', code, params),
          approx: (k, code, params) => add(k, 'approximated', code, params),
          no: (k, code, params) => add(k, 'untranslatable', code, params),
        },
        'rules',
        false,
      );
    } else if (key === 'name') add(key, 'untranslatable', 'gitlab.workflow.name');
    else if (key === 'auto_cancel') add(key, 'approximated', 'gitlab.workflow.auto_cancel');
    else add(key, 'untranslatable', 'gitlab.key.unknown', { key });
  }
  const out: WorkflowDraft = {};
  if (workflow.only) out.only = workflow.only;
  if (workflow.except) out.except = workflow.except;
  if (workflow.changes) out.changes = workflow.changes;
  if (Object.keys(out).length > 0) draft.workflow = out;
}

/**
 * A run goes to one agent, which must carry the labels of every job (runs-on-check.ts): two
 * jobs asking for different values of one label cannot both be served, so such labels are dropped.
 */
export function reconcileLabels(draft: PipelineDraft, report: ReportBuilder, file: string): void {
  const values = new Map<string, Set<string>>();
  for (const s of draft.stages) {
    for (const j of s.jobs)
      for (const [k, v] of Object.entries(j.runsOn ?? {}))
        values.set(k, (values.get(k) ?? new Set()).add(String(v)));
  }
  const clashing = [...values].filter(([, v]) => v.size > 1).map(([k]) => k);
  if (clashing.length === 0) return;
  for (const s of draft.stages) {
    for (const j of s.jobs) {
      if (!j.runsOn) continue;
      for (const k of clashing) delete j.runsOn[k];
      if (Object.keys(j.runsOn).length === 0) delete j.runsOn;
    }
  }
  report.add({
    file,
    line: 1,
    construct: 'tags',
    outcome: 'approximated',
    code: 'common.labels.clash',
    params: { labels: clashing.join(', ') },
  });
}
