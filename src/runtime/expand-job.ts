/**
 * A plan job with `$VAR` / `${VAR}` expanded (domain/expand-variables.ts) where the shell never
 * looks: the image, services, build settings, a deploy's fixed image and the values of the
 * job's variables. Done when the run starts (run-pipeline.ts), because only then are all standard variables known
 * (CI_PIPELINE_ID, CI_REGISTRY_IMAGE); the stored plan keeps what the author wrote.
 *
 * Visible: the standard variables and the job's own variables (which include the pipeline's).
 * Never secrets: they are not in either map, so `$TOKEN` in an image stays as written.
 * Scripts are left alone: the shell expands them, with the secrets it was given.
 */
import { expandVariableMap, expandVariables, type Variables } from '../domain/expand-variables.js';
import type { Plan, PlanJob } from '../pipeline/plan/plan.js';
import { type RunIdentity, standardEnv } from './standard-env.js';

/** Every job of the plan expanded with its own standard variables (done once per run). */
export function expandPlan(plan: Plan, run: RunIdentity): Plan {
  return {
    ...plan,
    stages: plan.stages.map((stage) => ({
      ...stage,
      jobs: stage.jobs.map((job) => expandJob(job, standardEnv(plan, job, run))),
    })),
  };
}

export function expandJob(job: PlanJob, standard: Variables): PlanJob {
  // The job's variables may not override standard ones (the linter refuses it); the standard
  // value wins here too, as it does in the job's environment.
  const env = expandVariableMap(job.env, standard);
  const vars = { ...env, ...standard };
  const x = (text: string) => expandVariables(text, vars);
  const xMap = (map: Record<string, string>) =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, x(v)]));
  return {
    ...job,
    image: x(job.image),
    env,
    services: job.services.map((s) => ({ ...s, image: x(s.image), env: xMap(s.env) })),
    ...(job.build
      ? {
          build: {
            ...job.build,
            dockerfile: x(job.build.dockerfile),
            context: x(job.build.context),
            target: job.build.target === null ? null : x(job.build.target),
            args: xMap(job.build.args),
            repository: job.build.repository === null ? null : x(job.build.repository),
            tags: job.build.tags.map(x),
          },
        }
      : {}),
    ...(job.deploy?.image ? { deploy: { ...job.deploy, image: x(job.deploy.image) } } : {}),
  };
}
