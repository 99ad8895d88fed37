import type { Ref } from './ref.js';

/**
 * GitFlow classes: filters and environment rules may name a class instead of a regex.
 * `main`/`master` → main (the production line), `develop` → develop, `feature/*`, `release/*`,
 * `hotfix/*`, and every tag → tag. Other branches have no class, and neither has a pull request:
 * its head branch is named by whoever opened it (a fork's `main` is not the production line).
 */
export const GITFLOW_CLASSES = ['main', 'develop', 'feature', 'release', 'hotfix', 'tag'] as const;
export type GitFlowClass = (typeof GITFLOW_CLASSES)[number];

export function isGitFlowClass(value: string): value is GitFlowClass {
  return (GITFLOW_CLASSES as readonly string[]).includes(value);
}

export function gitflowClass(ref: Ref): GitFlowClass | null {
  if (ref.kind === 'tag') return 'tag';
  if (ref.kind === 'pull_request') return null;
  const name = ref.name;
  if (name === 'main' || name === 'master') return 'main';
  if (name === 'develop' || name === 'development') return 'develop';
  if (name.startsWith('feature/') || name.startsWith('feat/')) return 'feature';
  if (name.startsWith('release/')) return 'release';
  if (name.startsWith('hotfix/')) return 'hotfix';
  return null;
}
