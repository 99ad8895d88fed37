/**
 * What runs in a warm container (see warm-pool.ts) before and when it becomes a job.
 *
 * A warm container is created and started ahead of any run with exactly the options a fresh job
 * container gets (image, init, hardening, limits, the workspace mounted at the workspace path
 * as its working directory), except that it cannot know the job yet. Its `/bin/sh -c BOOT`
 * waits on stdin; handing it a job is one write on an attach stream: a byte count line, then
 * that many bytes of shell that export the job's environment and `exec` the job's script in
 * place of the waiting shell. From there on the job's shell is the container's main process
 * under the init, exactly as in a fresh container: the exit code is the container's, a stop
 * sends SIGTERM through the init, and removal ends it. No `exec` (which cannot be killed
 * through the Engine API) is involved.
 */

/** Environment names a POSIX shell can export; a job with any other name gets a fresh container. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function exportableEnv(env: Record<string, string>): boolean {
  return Object.entries(env).every(([key, value]) => SHELL_NAME.test(key) && !value.includes('\0'));
}

/** A shell word that means exactly `text` (single quotes; a quote becomes '\''). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The waiting shell. An idle container ends itself after `idleSeconds` (its TERM-trapping timer
 * subshell kills the shell), so a pool nobody uses again — a `slipway exec` checkout left alone —
 * does not keep containers forever. `head` reads the job; an image without it, or without
 * `sleep`, exits at once, and the pool then never warms that image (fresh containers instead).
 * Before the job arrives nothing is printed: the attach stream carries only the job's output.
 */
export function bootScript(idleSeconds: number): string {
  const seconds = Math.max(1, Math.floor(idleSeconds));
  return [
    'command -v head >/dev/null 2>&1 && command -v sleep >/dev/null 2>&1 || exit 3',
    `( trap 'kill $t 2>/dev/null; exit 0' TERM; sleep ${seconds} & t=$!; wait $t; kill -TERM $$ ) >/dev/null 2>&1 </dev/null &`,
    'w=$!',
    'IFS= read -r n || exit 0',
    'kill $w 2>/dev/null',
    'eval "$(head -c "$n")"',
  ].join('\n');
}

/**
 * The bytes to write to a warm container's stdin to make it run `script` with `env`: the job's
 * variables are exported (values quoted, so nothing in them is ever interpreted) and the script
 * runs as `/bin/sh -c SCRIPT` with stdin from /dev/null, like a fresh container's.
 */
export function jobPayload(script: string, env: Record<string, string>): Buffer {
  // The waiting shell exported SHLVL=1; a fresh container's shell starts without it.
  const lines = ['unset SHLVL'];
  for (const [key, value] of Object.entries(env)) lines.push(`export ${key}=${shellQuote(value)}`);
  lines.push(`exec /bin/sh -c ${shellQuote(script)} </dev/null`);
  const body = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`), body]);
}
