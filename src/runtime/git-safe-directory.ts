/**
 * The workspace's `.git` (`clone:`) belongs to root, as every file the server sends does; a job
 * image that runs as another user would hit git's "detected dubious ownership" refusal on the
 * first `git log`. git honours `safe.directory` only from protected configuration, which
 * includes `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n` variables: the job gets one more such entry,
 * after any the job's own variables already define, naming exactly the workspace.
 */
export function gitSafeDirectoryEnv(
  env: Record<string, string>,
  workspacePath: string,
): Record<string, string> {
  const given = Number(env.GIT_CONFIG_COUNT ?? '0');
  const index = Number.isInteger(given) && given >= 0 ? given : 0;
  return {
    GIT_CONFIG_COUNT: String(index + 1),
    [`GIT_CONFIG_KEY_${index}`]: 'safe.directory',
    [`GIT_CONFIG_VALUE_${index}`]: workspacePath,
  };
}
