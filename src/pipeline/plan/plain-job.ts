import type { PlanJob } from './plan.js';

/**
 * A plan job with every field at its neutral value (no image, script, env, needs or skip)
 * plus `extra`: for plans written by code rather than compiled from `.slipway.yml`, such as a
 * release run's single `deploy` job.
 */
export function plainJob(
  name: string,
  stage: string,
  timeoutMs: number,
  extra: Partial<PlanJob> = {},
): PlanJob {
  return {
    name,
    stage,
    image: '',
    script: [],
    env: {},
    secrets: [],
    services: [],
    allowFailure: false,
    timeoutMs,
    dependsOn: [],
    dag: false,
    manual: false,
    skip: null,
    ...extra,
  };
}
