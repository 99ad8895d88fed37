/**
 * Reading a service's tasks: which run (for status and the proxy's upstreams), and why the
 * latest ones failed (the task error plus the container's last health check output).
 */
import type Dockerode from 'dockerode';
import { LABEL_DEPLOY_RELEASE } from './labels.js';

export interface TaskView {
  id: string;
  state: string;
  desired: string;
  err: string | null;
  message: string;
  containerId: string | null;
  createdAt: number;
}

export async function serviceTasks(docker: Dockerode, serviceName: string): Promise<TaskView[]> {
  const tasks = (await docker.listTasks({ filters: { service: [serviceName] } })) as Array<{
    ID: string;
    CreatedAt?: string;
    DesiredState?: string;
    Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string } };
  }>;
  return tasks.map((t) => ({
    id: t.ID,
    state: t.Status?.State ?? 'unknown',
    desired: t.DesiredState ?? 'unknown',
    err: t.Status?.Err ?? null,
    message: t.Status?.Message ?? '',
    containerId: t.Status?.ContainerStatus?.ContainerID ?? null,
    createdAt: Date.parse(t.CreatedAt ?? '') || 0,
  }));
}

/** Tasks that serve: running (Swarm reports a task with a health check running once healthy). */
export function servingTasks(tasks: TaskView[]): TaskView[] {
  return tasks.filter((t) => t.state === 'running' && t.desired === 'running');
}

/** Serving tasks per service id, from one task list of the whole Swarm (for `list`). */
export async function servingTasksByService(docker: Dockerode): Promise<Map<string, number>> {
  const tasks = (await docker.listTasks({ filters: { 'desired-state': ['running'] } })) as Array<{
    ServiceID?: string;
    DesiredState?: string;
    Status?: { State?: string };
  }>;
  const counts = new Map<string, number>();
  for (const t of tasks) {
    if (!t.ServiceID || t.Status?.State !== 'running' || t.DesiredState !== 'running') continue;
    counts.set(t.ServiceID, (counts.get(t.ServiceID) ?? 0) + 1);
  }
  return counts;
}

/**
 * Bridge addresses of serving tasks' containers on `network` (single-node Swarm), with the
 * release each one serves (from its labels).
 */
export async function taskUpstreams(
  docker: Dockerode,
  tasks: TaskView[],
  network: string,
): Promise<{ address: string; releaseId: string | null }[]> {
  const infos = await Promise.all(
    tasks.map((t) =>
      t.containerId
        ? docker
            .getContainer(t.containerId)
            .inspect()
            .catch(() => null)
        : null,
    ),
  );
  return infos.flatMap((i) => {
    const ip = i?.State.Running ? i.NetworkSettings.Networks[network]?.IPAddress : undefined;
    return ip ? [{ address: ip, releaseId: i?.Config.Labels?.[LABEL_DEPLOY_RELEASE] ?? null }] : [];
  });
}

/** Why the newest failed task failed, with its container's last health check output. */
export async function failureReason(docker: Dockerode, tasks: TaskView[]): Promise<string | null> {
  const failed = tasks
    .filter((t) => ['failed', 'rejected'].includes(t.state) || (t.err && t.state !== 'running'))
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!failed) return null;
  let reason = failed.err ?? failed.message;
  if (failed.containerId) {
    const info = await docker
      .getContainer(failed.containerId)
      .inspect()
      .catch(() => null);
    const last = info?.State.Health?.Log?.at(-1);
    const output = last?.Output.trim().split('\n').slice(-3).join(' | ');
    if (output) reason += `; last health check output: ${output}`;
  }
  return `task ${failed.id.slice(0, 12)} ${failed.state}: ${reason}`;
}
