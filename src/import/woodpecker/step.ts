/**
 * One Woodpecker step → a Slipway job. Plugin steps (`settings:` instead of `commands:`) have no
 * script to run: the Docker build plugins become `build:` jobs, other plugins are reported.
 */
import { ENV_NAME } from '../common.js';
import type { JobDraft, Scalar } from '../draft.js';
import type { ImportOutcome, ReportParams } from '../report.js';
import { isRecord, type LineComments, stringList } from '../source.js';
import { translateWhen } from './when.js';

export type StepReport = (key: string, outcome: ImportOutcome, code: string, params?: ReportParams) => void;

const BUILD_PLUGINS =
  /(^|\/)(plugins\/(docker|kaniko|gcr|ecr)|woodpeckerci\/plugin-(docker-buildx|kaniko)|plugins\/docker-buildx|thegeeklab\/drone-docker-buildx)(:|$)/;

const NO_OPS = new Set(['name', 'pull', 'ports', 'group', 'depends_on']);

export function translateStep(
  name: string,
  step: Record<string, unknown>,
  add: StepReport,
  comments?: LineComments[],
): JobDraft | null {
  const job: JobDraft = { name };
  const image = typeof step.image === 'string' ? step.image : undefined;
  const commands = stringList(step.commands ?? step.command);
  if (!image) {
    add('image', 'untranslatable', 'woodpecker.step.no-image');
    return null;
  }
  if (!commands && isRecord(step.settings)) {
    if (!BUILD_PLUGINS.test(image)) {
      add('settings', 'untranslatable', 'woodpecker.plugin', { image });
      return null;
    }
    const s = step.settings;
    const tags = stringList(s.tags ?? s.tag);
    job.build = {
      ...(typeof s.dockerfile === 'string' ? { dockerfile: s.dockerfile } : {}),
      ...(typeof s.context === 'string' ? { context: s.context } : {}),
      ...(typeof s.target === 'string' ? { target: s.target } : {}),
      ...(typeof s.repo === 'string' ? { image: s.repo } : {}),
      ...(tags ? { tags } : {}),
      ...(typeof s.registry === 'string' ? { registry: s.registry } : {}),
      ...(s.dry_run === true ? { push: false } : {}),
    };
    add('settings', 'approximated', 'woodpecker.plugin.docker', { image });
  } else if (commands) {
    job.image = image;
    const usable = comments && comments.length === commands.length ? comments : undefined;
    // Woodpecker substitutes ${VARS} itself and writes a literal $ as $$; the shell expands them.
    job.script = commands.map((text, i) => ({ text: text.replace(/\$\$/g, '$'), ...usable?.[i] }));
    add('image', 'translated', 'woodpecker.image');
    add(step.commands !== undefined ? 'commands' : 'command', 'translated', 'woodpecker.commands');
  } else {
    add('image', 'untranslatable', 'woodpecker.step.no-commands');
    return null;
  }

  for (const [key, value] of Object.entries(step)) {
    switch (key) {
      case 'image':
      case 'commands':
      case 'command':
      case 'settings':
        break;
      case 'environment':
        environment(job, value, add);
        break;
      case 'secrets': {
        const names: string[] = [];
        let renamed = false;
        for (const s of Array.isArray(value) ? value : []) {
          if (typeof s === 'string') names.push(s.toUpperCase());
          else if (isRecord(s) && typeof s.target === 'string') {
            names.push(s.target.toUpperCase());
            renamed = true;
          }
        }
        job.secrets = [...new Set([...(job.secrets ?? []), ...names.filter((n) => ENV_NAME.test(n))])];
        add(
          key,
          renamed ? 'approximated' : 'translated',
          renamed ? 'woodpecker.secrets.renamed' : 'woodpecker.secrets',
        );
        break;
      }
      case 'when': {
        const w = translateWhen(value);
        if (w.only) job.only = w.only;
        if (w.except) job.except = w.except;
        if (w.changes) job.changes = w.changes;
        if (w.when) job.when = w.when;
        if (w.issues.length === 0) add(key, 'translated', 'woodpecker.when');
        for (const issue of w.issues) add(key, issue.outcome, issue.code, issue.params);
        break;
      }
      case 'failure':
        if (value === 'ignore') {
          job.allowFailure = true;
          add(key, 'translated', 'woodpecker.failure');
        } else add(key, 'translated', 'woodpecker.failure');
        break;
      case 'directory':
        if (job.script && typeof value === 'string')
          job.script.unshift({ text: `cd ${JSON.stringify(value)}` });
        add(key, 'approximated', 'woodpecker.directory');
        break;
      case 'detach':
        add(key, 'untranslatable', 'woodpecker.detach');
        break;
      case 'privileged':
        add(key, 'untranslatable', 'woodpecker.privileged');
        break;
      case 'volumes':
        add(key, 'untranslatable', 'woodpecker.volumes');
        break;
      case 'entrypoint':
        add(key, 'untranslatable', 'woodpecker.entrypoint');
        break;
      default:
        if (NO_OPS.has(key)) add(key, 'translated', `woodpecker.${key}`);
        else add(key, 'untranslatable', 'woodpecker.key.unknown', { key });
    }
  }
  return job;
}

/** `environment:` map or `K=V` list; `{from_secret: name}` values become secrets. */
function environment(job: JobDraft, value: unknown, add: StepReport): void {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((line) => {
        const text = String(line);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      })
    : isRecord(value)
      ? Object.entries(value)
      : [];
  const vars: Record<string, Scalar> = {};
  for (const [name, v] of entries) {
    if (!ENV_NAME.test(name)) {
      add('environment', 'untranslatable', 'woodpecker.environment.name', { name });
      continue;
    }
    if (isRecord(v) && typeof v.from_secret === 'string') {
      job.secrets = [...new Set([...(job.secrets ?? []), name])];
      const same = v.from_secret.toUpperCase() === name;
      add(
        'environment',
        same ? 'translated' : 'approximated',
        same ? 'woodpecker.from_secret' : 'woodpecker.from_secret.renamed',
        {
          name,
          secret: v.from_secret,
        },
      );
      continue;
    }
    vars[name] = typeof v === 'number' || typeof v === 'boolean' ? v : v === null ? '' : String(v);
  }
  if (Object.keys(vars).length > 0) {
    job.variables = { ...job.variables, ...vars };
    add('environment', 'translated', 'woodpecker.environment');
  }
}
