import type { FastifyBaseLogger } from 'fastify';
import type { PipelineEvent } from '../../domain/event.js';
import type { Diagnostic } from '../../pipeline/config/diagnostic.js';
import type { LoadResult } from '../../pipeline/config/load-config.js';
import { compilePlan } from '../../pipeline/plan/compile-plan.js';
import type { Plan } from '../../pipeline/plan/plan.js';
import { AppError } from '../errors.js';
import type { SourceService } from '../services.js';
import type { ProjectRow } from '../store/tables.js';
import { includedFiles } from './config-includes.js';
import type { ConfigLoader } from './config-loader.js';

export const CONFIG_FILE = '.slipway.yml';

export type PlanOutcome =
  | { ok: true; plan: Plan; diagnostics: Diagnostic[] }
  | { ok: false; message: string; diagnostics: Diagnostic[] };

/**
 * The project's `.slipway.yml` at the event's sha → a Plan, or why there is none. Never throws
 * for a bad or missing file: the caller records a failed run, so a push is never silently dropped.
 */
export async function planFromSource(
  sources: SourceService,
  project: ProjectRow,
  event: PipelineEvent,
  log: FastifyBaseLogger,
  configs: ConfigLoader,
): Promise<PlanOutcome> {
  let text: string | null;
  try {
    text = await sources.readFile(project, event.sha, CONFIG_FILE);
  } catch (error) {
    // Over the size limit is the user's mistake, not a git failure: say so, and what the limit
    // is (the source's message names it), on the run and as a diagnostic the editor can show.
    if (error instanceof AppError && error.code === 'too_large') {
      const message = `${CONFIG_FILE} at ${event.sha} is too large: ${error.message}`;
      return { ok: false, message, diagnostics: [fileTooLarge(message)] };
    }
    // The message of a git failure may name paths or remotes: log it, show a plain sentence.
    log.warn({ err: error, project: project.name, sha: event.sha }, 'could not read the pipeline config');
    return { ok: false, message: `could not read ${CONFIG_FILE} at ${event.sha}`, diagnostics: [] };
  }
  if (text === null) {
    // A remote the policy refuses was never fetched: say that, not "no file at <sha>".
    const refused = (await sources.remoteRefusal?.(project)) ?? null;
    const message = refused
      ? `the server refuses to fetch the remote of project ${project.name}: ${refused} (an admin may add it to SLIPWAY_OUTBOUND_ALLOWLIST)`
      : `no ${CONFIG_FILE} at ${event.sha}`;
    return { ok: false, message, diagnostics: [] };
  }

  let loaded: LoadResult;
  try {
    loaded = await configs.load(
      text,
      CONFIG_FILE,
      await includedFiles(sources, project, event.sha, CONFIG_FILE, text),
    );
  } catch (error) {
    // The parser thread died (out of its heap) or was stopped: the file is beyond what the
    // server parses, which the user can act on; the details stay in the log.
    log.warn({ err: error, project: project.name, sha: event.sha }, 'parsing the pipeline config failed');
    const message = `${CONFIG_FILE} at ${event.sha} could not be parsed within the server's limits; make it smaller or simpler`;
    const diagnostic: Diagnostic = { ...fileTooLarge(message), code: 'file-too-complex' };
    return { ok: false, message, diagnostics: [diagnostic] };
  }
  const { config, diagnostics } = loaded;
  if (!config) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    // An included file is named; the pipeline file itself is what the message is about.
    const at = first && first.file !== CONFIG_FILE ? `${first.file}:` : '';
    const where = first ? ` — first: ${at}${first.line}:${first.col} ${first.message}` : '';
    return {
      ok: false,
      message: `${CONFIG_FILE} has ${errors.length} error${errors.length === 1 ? '' : 's'}${where}`,
      diagnostics,
    };
  }
  // Build jobs tag `latest` on the default branch: the plan must know which branch that is.
  const withDefault = { ...event, defaultBranch: event.defaultBranch ?? project.default_branch };
  return { ok: true, plan: compilePlan(config, withDefault), diagnostics };
}

function fileTooLarge(message: string): Diagnostic {
  return { code: 'file-too-large', message, severity: 'error', file: CONFIG_FILE, line: 1, col: 1, path: '' };
}

/**
 * Extra variables of a manual/API run become part of every job's environment in the stored
 * plan: the plan is all the agent gets, so this is how they reach the steps (as env, never
 * templated into a command line).
 */
export function withVariables(plan: Plan, variables: Record<string, string>): Plan {
  if (Object.keys(variables).length === 0) return plan;
  return {
    ...plan,
    stages: plan.stages.map((stage) => ({
      ...stage,
      jobs: stage.jobs.map((job) => ({ ...job, env: { ...job.env, ...variables } })),
    })),
  };
}
