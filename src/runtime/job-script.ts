/**
 * Turns a job's script lines into the one shell script its container runs with `/bin/sh -c`.
 * `set -e` stops at the first failing line; each line is echoed (green `$ line`, like GitLab)
 * before it runs, which is also where the UI folds a job's log into steps.
 * The lines come from the repository's own config; untrusted strings (branch names, commit
 * messages) never enter this text — they reach the job as environment variables.
 */
export const STEP_MARKER = '\u001b[32;1m$ ';

export function buildJobScript(lines: readonly string[]): string {
  const parts = ['set -e'];
  for (const line of lines) {
    parts.push(`printf '%s\\n' ${shellQuote(`${STEP_MARKER}${line}\u001b[0m`)}`);
    parts.push(line);
  }
  return `${parts.join('\n')}\n`;
}

/** Single-quote for POSIX sh: the only character that needs care inside '…' is ' itself. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
