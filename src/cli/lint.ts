/**
 * `slipway lint [file] [--json]`: check a pipeline definition without running it.
 *
 * Exit codes: 0 no errors (warnings allowed), 1 errors in the file, 2 the command could not do
 * its job (bad arguments, unreadable file) — so CI can tell "your config is wrong" from "the
 * check did not run".
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Diagnostic } from '../pipeline/config/diagnostic.js';
import { formatDiagnostics } from '../pipeline/config/format-diagnostics.js';
import { DEFAULT_MAX_BYTES } from '../pipeline/config/parse-yaml.js';
import { loadPipelineFile, readBounded } from './load-pipeline-file.js';

export interface LintIo {
  /** Receives whole chunks of output, line breaks included (like `process.stdout.write`). */
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  /** ANSI colours in the compiler-style output; the caller knows whether it writes to a TTY. */
  color?: boolean;
}

const USAGE = 'usage: slipway lint [file] [--json]\n';
const DEFAULT_FILE = '.slipway.yml';

export async function lintCommand(argv: string[], io: LintIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    io.stderr(`slipway lint: ${argumentError(error)}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(
      `${USAGE}\nChecks a pipeline definition (default ${DEFAULT_FILE}) and prints its problems.\n` +
        '  --json   print the problems as JSON\n',
    );
    return 0;
  }
  if (args.positionals.length > 1) {
    io.stderr(`slipway lint: expected at most one file, got ${args.positionals.length}\n${USAGE}`);
    return 2;
  }

  const file = args.positionals[0] ?? DEFAULT_FILE;
  let text: string;
  try {
    text = await readBounded(resolve(io.cwd, file), DEFAULT_MAX_BYTES);
  } catch (error) {
    io.stderr(`slipway lint: cannot read ${file}: ${readError(error)}\n`);
    return 2;
  }

  // Included paths are relative to the directory of the file: the root of its repository.
  const { diagnostics, sources } = await loadPipelineFile(text, file, dirname(resolve(io.cwd, file)));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (args.values.json) {
    io.stdout(`${JSON.stringify({ file, errors, warnings, diagnostics }, null, 2)}\n`);
  } else {
    if (diagnostics.length > 0)
      io.stdout(`${formatDiagnostics(diagnostics, sources, { color: io.color ?? false })}\n\n`);
    io.stdout(`${summary(file, diagnostics, errors, warnings)}\n`);
  }
  return errors > 0 ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
}

function summary(file: string, diagnostics: readonly Diagnostic[], errors: number, warnings: number): string {
  if (diagnostics.length === 0) return `✔ ${file}: no problems`;
  const counts = [plural(errors, 'error'), plural(warnings, 'warning')].filter((s) => !s.startsWith('0 '));
  return `${errors > 0 ? '✖' : '✔'} ${file}: ${counts.join(', ')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function argumentError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1];
    return option ? `unknown option ${option}` : message;
  }
  // Node's messages run on with advice about `--`; the first sentence is the useful part.
  return message.split('. ')[0] ?? message;
}

function readError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
