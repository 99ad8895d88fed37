/**
 * Labels and names of what deploy targets create. Everything carries the environment's labels
 * so `status`, `restore` and `remove` find it from the engine alone, without a database.
 */
import { LABEL_MANAGED, resourceName } from '../backends/docker/labels.js';
import type { DeploySpec, EnvironmentRef } from './deploy-target.js';

export const LABEL_DEPLOY_PROJECT = 'io.slipway.deploy.project';
export const LABEL_DEPLOY_APP = 'io.slipway.deploy.app';
export const LABEL_DEPLOY_ENV = 'io.slipway.deploy.env';
export const LABEL_DEPLOY_RELEASE = 'io.slipway.deploy.release';
/** The image as the spec named it (Config.Image may be an id after local resolution). */
export const LABEL_DEPLOY_IMAGE = 'io.slipway.deploy.image';
/** `published:target,…`: lets `restore` re-bind the port proxies after an agent restart. */
export const LABEL_DEPLOY_PORTS = 'io.slipway.deploy.ports';
/** `http` | `tcp`: which proxy `restore` binds (absent on containers of older agents: tcp). */
export const LABEL_DEPLOY_PROTOCOL = 'io.slipway.deploy.protocol';
export { LABEL_MANAGED };

/** `slipway-<project>-<app>-<env>`: the network (local), the service (Swarm). */
export function environmentName(ref: EnvironmentRef): string {
  return resourceName(ref.project, ref.app, ref.env);
}

/** A stable key for maps of per-environment state. */
export function environmentKey(ref: EnvironmentRef): string {
  return JSON.stringify([ref.project, ref.app, ref.env]);
}

/** `slipway-<project>-<app>-<env>-<release short>-<n>`. */
export function containerName(ref: EnvironmentRef, releaseId: string, n: number): string {
  return resourceName(ref.project, ref.app, ref.env, releaseId.slice(0, 8), String(n));
}

/** Labels of one environment (no release): what `status` and `remove` filter on. */
export function environmentLabels(ref: EnvironmentRef): Record<string, string> {
  return {
    [LABEL_MANAGED]: 'true',
    [LABEL_DEPLOY_PROJECT]: ref.project,
    [LABEL_DEPLOY_APP]: ref.app,
    [LABEL_DEPLOY_ENV]: ref.env,
  };
}

/** Labels of a release's resources. Ours come last so the spec's extra labels cannot override. */
export function releaseLabels(spec: DeploySpec): Record<string, string> {
  return {
    ...spec.labels,
    ...environmentLabels(spec),
    [LABEL_DEPLOY_RELEASE]: spec.releaseId,
    [LABEL_DEPLOY_IMAGE]: spec.image,
    [LABEL_DEPLOY_PORTS]: formatPorts(spec.ports),
    [LABEL_DEPLOY_PROTOCOL]: protocolOf(spec),
  };
}

/** The protocol of a spec's proxy: as given, else http when the health check is http. */
export function protocolOf(spec: Pick<DeploySpec, 'protocol' | 'healthcheck'>): 'http' | 'tcp' {
  return spec.protocol ?? (spec.healthcheck?.kind === 'http' ? 'http' : 'tcp');
}

export function protocolFromLabel(value: string | undefined): 'http' | 'tcp' {
  return value === 'http' ? 'http' : 'tcp';
}

/** The engine filter selecting one environment's resources. */
export function environmentFilter(ref: EnvironmentRef): { label: string[] } {
  return { label: Object.entries(environmentLabels(ref)).map(([k, v]) => `${k}=${v}`) };
}

/** Filter for every deployed resource of every environment (for `restore`). */
export function allEnvironmentsFilter(): { label: string[] } {
  return { label: [`${LABEL_MANAGED}=true`, LABEL_DEPLOY_ENV] };
}

export function refFromLabels(labels: Record<string, string>): EnvironmentRef | null {
  const project = labels[LABEL_DEPLOY_PROJECT];
  const app = labels[LABEL_DEPLOY_APP];
  const env = labels[LABEL_DEPLOY_ENV];
  return project !== undefined && app !== undefined && env !== undefined ? { project, app, env } : null;
}

export function formatPorts(ports: DeploySpec['ports']): string {
  return ports.map((p) => `${p.published}:${p.target}`).join(',');
}

export function parsePorts(text: string | undefined): DeploySpec['ports'] {
  if (!text) return [];
  return text.split(',').flatMap((pair) => {
    const [published, target] = pair.split(':').map(Number);
    return Number.isInteger(published) && Number.isInteger(target)
      ? [{ published: published as number, target: target as number }]
      : [];
  });
}
