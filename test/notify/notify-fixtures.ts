/**
 * Shared pieces of the notification and commit status tests: a real HTTP receiver on loopback
 * that records every request and answers as the test says, and runs driven through the real
 * RunService and RunState (so the delivery events are the ones the server emits).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobResultMessage } from '../../src/protocol/agent-protocol.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { push } from '../runs/fixtures.js';
import type { TestServer } from '../support/server.js';

export const ONE_JOB = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [make] }
`;

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** What the next requests get; the last entry repeats. Default `200 {"errcode":0,"code":0}`. */
  answers: { status: number; body: string }[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const receiver: Receiver = {
    url: '',
    requests,
    answers: [{ status: 200, body: '{"errcode":0,"code":0}' }],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = receiver.answers.length > 1 ? receiver.answers.shift() : receiver.answers[0];
      res.writeHead(answer?.status ?? 200, { 'content-type': 'application/json' });
      res.end(answer?.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

function report(status: JobResultMessage['status']): JobResultMessage {
  const ended = status === 'succeeded' || status === 'failed';
  return {
    name: 'compile',
    stage: 'build',
    status,
    allowFailure: false,
    failure:
      status === 'failed' ? { reason: 'exit_code', message: 'exit code 2', params: { code: 2 } } : null,
    skip: null,
    exitCode: status === 'failed' ? 2 : status === 'succeeded' ? 0 : null,
    startedAt: 1_000,
    finishedAt: ended ? 61_000 : null,
  };
}

/** Creates a run of ONE_JOB on `branch` and drives it to `outcome` as an agent would report it. */
export async function runTo(
  t: TestServer,
  runs: DbRunService,
  project: ProjectRow,
  outcome: 'succeeded' | 'failed',
  branch = 'main',
  sha?: string,
): Promise<{ id: string; number: number; sha: string }> {
  const event = push({ ref: { kind: 'branch', name: branch }, ...(sha ? { sha } : {}) });
  const run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
  const state = t.server.ctx.runState;
  await state.runStarted(run.id);
  await state.jobUpdate(run.id, report('running'));
  await state.jobUpdate(run.id, report(outcome));
  await state.runFinished(run.id, { status: outcome, startedAt: 1_000, finishedAt: 61_000, error: null });
  return { id: run.id, number: run.number, sha: run.sha };
}

/** Polls until `check` holds; fails naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
