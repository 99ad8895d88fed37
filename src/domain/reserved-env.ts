/**
 * Environment variable names a pipeline may not set (in `env` at any level, service `env`, a
 * job's `secrets`, which become variables, and build `args`): the one list `slipway lint`, the
 * server's config check and the manual-run API all use.
 *
 * Reserved, and why:
 * - `CI`, `SLIPWAY` and every `CI_*` / `SLIPWAY_*` name: Slipway's standard variables (see
 *   runtime/standard-env.ts). Scripts and deploy tools trust them to say which branch, tag, run
 *   and job this is; a job that could set `SLIPWAY_BRANCH: main` on a feature branch could lie
 *   its way past such a check. The whole prefixes are kept so new standard names stay safe.
 * - `LD_PRELOAD`, `LD_AUDIT`, `LD_LIBRARY_PATH` (glibc and musl) and `DYLD_INSERT_LIBRARIES`,
 *   `DYLD_LIBRARY_PATH` (macOS, the local backend): they load code into every dynamically
 *   linked process started with them — the services' entrypoints, the image's own tools, and on
 *   the local backend processes on the agent's host — not only the script's own lines.
 * - `BASH_ENV`, `ENV`, `SHELLOPTS`, `BASHOPTS`, `IFS`, `PS4`: they change how the shell that
 *   runs the job's script starts and parses it (a file sourced before `set -e`, other word
 *   splitting, commands run by tracing), i.e. Slipway's wrapper rather than the user's lines.
 *
 * Not reserved: `PATH`. Setting it is common and legitimate (toolchains under /opt,
 * node_modules/.bin); Slipway starts the job with an absolute `/bin/sh` and its wrapper uses only
 * shell builtins, so `PATH` changes only what the author's own lines run — which the author
 * controls anyway. `HOME`, `USER`, proxies and the like are ordinary configuration too.
 *
 * Build arguments additionally reserve `BUILDKIT_*`: BuildKit reads them itself, and
 * `BUILDKIT_SYNTAX` would swap the Dockerfile frontend for any image the config names.
 */

const RESERVED_PREFIXES = ['SLIPWAY_', 'CI_'] as const;
const RESERVED_NAMES = new Map<string, string>([
  ['CI', "it is one of Slipway's standard variables"],
  ['SLIPWAY', "it is one of Slipway's standard variables"],
  ...['LD_PRELOAD', 'LD_AUDIT', 'LD_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'DYLD_LIBRARY_PATH'].map(
    (name): [string, string] => [name, 'it makes the dynamic loader load code into every process'],
  ),
  ...['BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'IFS', 'PS4'].map((name): [string, string] => [
    name,
    'it changes how the shell running the job starts or parses the script',
  ]),
]);
const BUILD_ARG_PREFIX = 'BUILDKIT_';

/** Why a job, service or pipeline may not set the variable `name`, or null when it may. */
export function reservedEnvReason(name: string): string | null {
  // Case-sensitive, like the environment itself: `ci_token` does not shadow `CI_TOKEN`.
  const exact = RESERVED_NAMES.get(name);
  if (exact) return exact;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  return prefix ? `${prefix}* names are Slipway's standard variables` : null;
}

/** Why a build may not set the build argument `name`, or null when it may. */
export function reservedBuildArgReason(name: string): string | null {
  if (name.startsWith(BUILD_ARG_PREFIX)) {
    return `${BUILD_ARG_PREFIX}* arguments configure BuildKit itself (BUILDKIT_SYNTAX picks the frontend image)`;
  }
  return reservedEnvReason(name);
}
