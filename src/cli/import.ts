/**
 * `slipway import [file|dir ...] [--format gitlab|woodpecker|daocloud] [-o FILE|-] [--force] [--json]`
 *
 * Reads a GitLab CI, Woodpecker or DaoCloud file (default: whichever of .gitlab-ci.yml,
 * .woodpecker.yml, .woodpecker/, daocloud.yml is in the current directory), writes the equivalent
 * `.slipway.yml` and prints what was translated, approximated or left out, with lines.
 * Exit codes: 0 written, 1 nothing could be translated or the source is invalid, 2 usage.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import {
  ImportError,
  importPipeline,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_FILES,
} from '../import/import-pipeline.js';
import { IMPORT_FORMATS, type ImportFormat, type ImportReport } from '../import/report.js';
import { OUTCOME_WORDS, renderMessage } from '../import/report-messages.js';
import { UsageError } from './usage-error.js';

export const IMPORT_USAGE = `usage: slipway import [file|dir ...] [--format gitlab|woodpecker|daocloud] [-o .slipway.yml|-] [--force] [--json]

Translates daocloud.yml, .gitlab-ci.yml (with its include: local files) or .woodpecker.yml /
.woodpecker/ into .slipway.yml and prints a report: each construct translated, approximated
(how) or not translatable (line and why).
  --format F   the source's CI system (default: from the file names, then the content)
  -o FILE      where to write (default .slipway.yml; - prints it); an existing file needs --force
  --json       print {format, yaml, report, lint} as JSON instead`;

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

const CANDIDATES = ['.gitlab-ci.yml', '.woodpecker.yml', '.woodpecker.yaml', '.woodpecker', 'daocloud.yml'];

export async function importCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(values.format)) {
    throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}\n${IMPORT_USAGE}`);
  }
  const inputs =
    positionals.length > 0 ? positionals : CANDIDATES.filter((c) => existsSync(join(io.cwd, c))).slice(0, 1);
  if (inputs.length === 0)
    throw new UsageError(`no CI file given and none of ${CANDIDATES.join(', ')} here\n${IMPORT_USAGE}`);
  const files = readInputs(inputs, io.cwd);
  // include: local names files from the repository root: read the ones it names.
  for (const extra of siblingYaml(io.cwd, files)) files[extra.path] ??= extra.text;

  let result: ReturnType<typeof importPipeline>;
  try {
    result = importPipeline({ ...(values.format ? { format: values.format as ImportFormat } : {}), files });
  } catch (error) {
    if (error instanceof ImportError) {
      io.stderr(`slipway import: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (values.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return result.yaml === null ? 1 : 0;
  }
  const output = values.output ?? '.slipway.yml';
  if (result.yaml !== null) {
    if (output === '-') io.stdout(result.yaml);
    else {
      const path = resolve(io.cwd, output);
      if (existsSync(path) && !values.force)
        throw new UsageError(`${output} exists; give --force to replace it, or -o another file`);
      writeFileSync(path, result.yaml);
    }
  }
  const print = output === '-' ? io.stderr : io.stdout;
  print(formatReport(result.report));
  if (result.yaml !== null && output !== '-')
    print(
      `wrote ${output}${result.lint.length > 0 ? ` (slipway lint: ${result.lint.length} problem(s))` : ''}\n`,
    );
  return result.yaml === null ? 1 : 0;
}

export function formatReport(report: ImportReport): string {
  const lines = report.entries
    .filter((e) => e.outcome !== 'translated')
    .map(
      (e) =>
        `${e.file}:${e.line}: ${OUTCOME_WORDS.en[e.outcome]}: ${e.construct}${e.job ? ` (${e.job})` : ''}: ${renderMessage(e.code, e.params)}`,
    );
  const s = report.summary;
  lines.push(
    `${report.format}: ${s.constructs} constructs, ${s.translated} translated, ${s.approximated} approximated, ${s.untranslatable} not translatable (${s.carried}% carried over)`,
  );
  return `${lines.join('\n')}\n`;
}

function readInputs(inputs: string[], cwd: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const input of inputs) {
    const path = resolve(cwd, input);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new UsageError(`cannot read ${input}: no such file`);
    }
    const names = stat.isDirectory()
      ? readdirSync(path)
          .filter((n) => /\.ya?ml$/.test(n))
          .map((n) => join(path, n))
      : [path];
    for (const name of names) files[relative(cwd, name) || input] = readFileSync(name, 'utf8');
  }
  return files;
}

/**
 * The files a `.gitlab-ci.yml` names with `include: local` (globs allowed), read from the
 * directory, so that the importer can merge them; other YAML files of the repository are left alone.
 */
function siblingYaml(cwd: string, files: Record<string, string>): { path: string; text: string }[] {
  const patterns = Object.entries(files)
    .filter(([p]) => p.endsWith('.gitlab-ci.yml'))
    .flatMap(([, text]) => localIncludes(text));
  if (patterns.length === 0) return [];
  const matches = picomatch(patterns, { dot: true });
  const out: { path: string; text: string }[] = [];
  let bytes = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === '.git') continue;
      const full = join(dir, name);
      const s = statSync(full);
      const rel = relative(cwd, full);
      if (s.isDirectory()) walk(full, depth + 1);
      else if (matches(rel) && bytes + s.size <= MAX_IMPORT_BYTES / 2 && out.length < MAX_IMPORT_FILES - 1) {
        bytes += s.size;
        out.push({ path: rel, text: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(cwd, 0);
  return out;
}

function localIncludes(text: string): string[] {
  let value: unknown;
  try {
    value = parse(text, { merge: true, uniqueKeys: false, logLevel: 'silent' });
  } catch {
    return [];
  }
  const include = (value as { include?: unknown } | null)?.include;
  const list = Array.isArray(include) ? include : include === undefined ? [] : [include];
  return list.flatMap((entry) => {
    const path =
      typeof entry === 'string' && !/^https?:/.test(entry) ? entry : (entry as { local?: unknown })?.local;
    return typeof path === 'string' ? [path.replace(/^\.?\//, '')] : [];
  });
}
