/**
 * Where the engine pulls images from (security rule 11). A job's `image:`, its services' images
 * and a deploy's image come from the repository or from a user, and a registry host in them is
 * a destination the agent's engine connects to — `127.0.0.1:5000/x:1` would make it reach a
 * listener on the agent's own loopback. So the server applies the outbound policy (with the same
 * SLIPWAY_OUTBOUND_ALLOWLIST as for pushes) to every registry host an image names, before it
 * hands a lease out. Images without a registry host (Docker Hub short names such as `node:20`
 * or `team/api`, local image ids) connect to nothing chosen by the user and are left alone.
 *
 * Limits: the engine resolves registry names itself, so a name is judged by what the server's
 * resolver answers now (a name that resolves differently for the engine, or not at all for the
 * server, gets through). Not covered: base images a Dockerfile names (`FROM`), which the server
 * does not read, and `slipway exec`, which runs on the user's machine with the user's engine.
 */
import { registryOf } from '../../domain/image-reference.js';
import type { Plan, PlanJob } from '../../pipeline/plan/plan.js';
import { type OutboundPolicy, OutboundRefused, UnresolvableHost } from '../git/outbound-policy.js';

/** Names the Docker reference grammar itself maps to Docker Hub: as public as a short name. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io']);

/** The registry host[:port] an image reference names, or null (Docker Hub, a local image). */
export function registryHostOfImage(image: string): string | null {
  const host = registryOf(image.trim());
  return host === null || DOCKER_HUB.has(host.toLowerCase()) ? null : host;
}

/**
 * Why the engine must not pull `image`, or null when it may. `what` names the image in the
 * message (`job "unit" image`, `body.image`…).
 */
export async function imagePullRefusal(
  policy: OutboundPolicy,
  image: string,
  what: string,
  checked: Map<string, string | null> = new Map(),
): Promise<string | null> {
  const host = registryHostOfImage(image);
  if (host === null) return null;
  if (!checked.has(host)) checked.set(host, await hostRefusal(policy, host));
  const reason = checked.get(host);
  return reason ? `${what} "${image}": ${reason}` : null;
}

async function hostRefusal(policy: OutboundPolicy, host: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(`https://${host}/`);
  } catch {
    return `${host} is not a registry host[:port]`;
  }
  try {
    await policy.check({ kind: 'http', url, authorization: null });
    return null;
  } catch (error) {
    if (!(error instanceof OutboundRefused)) throw error;
    // A name the server cannot resolve is left to the engine, which resolves it itself (and
    // fails when nobody can). The server cannot pin the engine's lookup anyway, so for names
    // this check is as good as the server's resolver; literal addresses and localhost names
    // are judged exactly.
    if (error instanceof UnresolvableHost) return null;
    return (
      `the server refuses pulls from registry ${host}: ${error.message} ` +
      '(add it to SLIPWAY_OUTBOUND_ALLOWLIST to allow pulls from there)'
    );
  }
}

/** Which jobs of a lease the agent would start, as the runtime decides (run-pipeline.ts). */
export interface LeaseSelection {
  jobs: readonly string[];
  runManual: boolean;
}

/**
 * Every refused image of the jobs a lease would run: job images (not for build and deploy jobs,
 * which run on the engine itself) and service images. Skipped jobs, jobs outside the selection
 * and manual jobs nobody chose pull nothing and are not judged.
 */
export async function refusedJobImages(
  policy: OutboundPolicy,
  plan: Plan,
  selection: LeaseSelection,
): Promise<string[]> {
  if (plan.skip) return [];
  const checked = new Map<string, string | null>();
  const refusals: string[] = [];
  for (const job of plan.stages.flatMap((s) => s.jobs)) {
    if (!pullsFor(job, selection)) continue;
    const images: [string, string][] = [];
    if (!job.build && !job.deploy) images.push([`job "${job.name}" image`, job.image]);
    for (const service of job.services)
      images.push([`job "${job.name}" service "${service.name}" image`, service.image]);
    for (const [what, image] of images) {
      const refusal = await imagePullRefusal(policy, image, what, checked);
      if (refusal) refusals.push(refusal);
    }
  }
  return refusals;
}

function pullsFor(job: PlanJob, selection: LeaseSelection): boolean {
  if (job.skip) return false;
  const chosen = selection.jobs.includes(job.name);
  if (selection.jobs.length > 0 && !chosen) return false;
  return !job.manual || selection.runManual || chosen;
}
