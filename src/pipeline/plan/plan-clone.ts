import { type CloneConfig, DEFAULT_CLONE_DEPTH } from '../config/schema-clone.js';

/**
 * What the workspace holds of git (`clone:`): a shallow repository of the run's commit, or
 * (`false`) only its files. Plans compiled without a `clone:` key carry none, and read as the
 * default — so plans stored before the key existed get the default checkout too.
 */
export interface PlanClone {
  /** Commits of history; 0: all of it. */
  depth: number;
  tags: boolean;
}

export const DEFAULT_CLONE: PlanClone = { depth: DEFAULT_CLONE_DEPTH, tags: false };

/** Submodules and LFS are lint warnings (unsupported), so they do not reach the plan. */
export function compileClone(clone: CloneConfig | undefined): { clone?: PlanClone | false } {
  if (clone === undefined) return {};
  if (clone === false) return { clone: false };
  if (clone === true) return { clone: DEFAULT_CLONE };
  return { clone: { depth: clone.depth ?? DEFAULT_CLONE.depth, tags: clone.tags ?? DEFAULT_CLONE.tags } };
}

/** The plan's checkout, with the default filled in (old plans and plans without the key). */
export function planClone(plan: { clone?: PlanClone | false }): PlanClone | false {
  return plan.clone ?? DEFAULT_CLONE;
}
