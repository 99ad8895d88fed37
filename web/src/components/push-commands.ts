/** The two commands that send a built-in repository its first push. */
export function pushCommands(project: { gitUrl?: string; defaultBranch: string }): string {
  return `git remote add slipway ${project.gitUrl ?? ''}\ngit push slipway ${project.defaultBranch}`;
}
