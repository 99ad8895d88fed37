/**
 * Seeds what a traffic report needs on a real server: a project, an application, an
 * environment observed as run by an agent (the agent's token for protocol calls), releases.
 */
import { randomUUID } from 'node:crypto';
import { LATENCY_BUCKETS } from '../../src/domain/release-stats.js';
import type { TrafficBucketMessage } from '../../src/protocol/agent-protocol.js';
import { environmentRow, projectRow, releaseRow } from '../support/rows.js';
import type { TestServer } from '../support/server.js';

export interface SeededEnvironment {
  project: string;
  app: string;
  env: string;
  environmentId: string;
  releases: string[];
  agentId: string;
  agentToken: string;
}

export async function seedEnvironment(
  t: TestServer,
  releaseCount = 2,
  /** Names and release ids as a deploy target test used them. */
  as: { project?: string; app?: string; env?: string; releaseIds?: string[] } = {},
): Promise<SeededEnvironment> {
  const db = t.server.ctx.db;
  const now = Date.now();
  const res = await t.api('/api/agents', {
    method: 'POST',
    body: JSON.stringify({ name: `traffic-${randomUUID().slice(0, 6)}` }),
  });
  const agent = (await res.json()) as { id: string; token: string };
  const projectId = randomUUID();
  const project = as.project ?? `tr-${projectId.slice(0, 8)}`;
  const appName = as.app ?? 'web';
  const envName = as.env ?? 'prod';
  await db
    .insertInto('projects')
    .values(
      projectRow({
        id: projectId,
        name: project,
        webhook_secret: 'x',
        concurrency_limit: 2,
        created_at: now,
      }),
    )
    .execute();
  const appId = randomUUID();
  const environmentId = randomUUID();
  await db
    .insertInto('applications')
    .values({ id: appId, project_id: projectId, name: appName, created_at: now })
    .execute();
  await db
    .insertInto('environments')
    .values(environmentRow({ id: environmentId, application_id: appId, name: envName }, now))
    .execute();
  const releases: string[] = [];
  for (let n = 1; n <= releaseCount; n++) {
    const id = as.releaseIds?.[n - 1] ?? randomUUID();
    releases.push(id);
    await db
      .insertInto('releases')
      .values(releaseRow({ id, application_id: appId, environment_id: environmentId, number: n }, now))
      .execute();
  }
  await db
    .insertInto('environment_observations')
    .values({
      environment_id: environmentId,
      project_id: projectId,
      agent_id: agent.id,
      observed_at: now,
      running: 1,
      healthy: 1,
      desired: 1,
      image: null,
      release_id: releases[releases.length - 1] ?? null,
      health: 'healthy',
    })
    .execute();
  return {
    project,
    app: 'web',
    env: 'prod',
    environmentId,
    releases,
    agentId: agent.id,
    agentToken: agent.token,
  };
}

export function agentPost(t: TestServer, token: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${t.url}/api/agent${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-slipway-protocol': '1',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

/** A bucket of `requests` answers, `errors` of them 5xx, latencies spread over a few buckets. */
export function bucket(
  releaseId: string,
  minute: number,
  requests: number,
  errors: number,
  latencyShift = 0,
): TrafficBucketMessage {
  const latency = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (let i = 0; i < requests; i++) {
    const b = 2 + ((i * 7) % 4) + latencyShift;
    latency[b] = (latency[b] ?? 0) + 1;
  }
  return {
    releaseId,
    role: 'stable',
    minute,
    requests,
    status: [0, requests - errors, 0, 0, errors],
    proxyErrors: 0,
    bytesIn: requests * 10,
    bytesOut: requests * 100,
    connections: 0,
    latency,
    latencySumMs: requests * 5,
  };
}
