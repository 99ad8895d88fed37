/**
 * `protocol:` and `rollout:` of an environment: defaults, clear errors; and the agent's traffic
 * reporter keeping an unacknowledged report (same id) until the server takes it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTrafficReporter } from '../../src/agent/traffic-reporter.js';
import { environmentConfigSchema } from '../../src/api/environment-config.js';
import { effectiveProtocol } from '../../src/api/rollout-config.js';
import { TrafficRecorder } from '../../src/deploy/traffic-recorder.js';
import type { TrafficReportMessage } from '../../src/protocol/agent-protocol.js';
import type { AgentTransport } from '../../src/protocol/agent-transport.js';
import { canarySpec } from '../../src/server/deploys/release-variables.js';

test('rollout: defaults, durations and clear errors; protocol defaults to http with an http check', () => {
  const config = environmentConfigSchema.parse({
    healthcheck: { http: { path: '/health', port: 8080 } },
    rollout: { strategy: 'canary', bake: '2m', max_error_rate: 0.05, max_p95_ms: 800 },
  });
  assert.deepEqual(canarySpec(config.rollout), {
    steps: [10, 50, 100],
    bakeMs: 120_000,
    minRequests: 100,
    maxErrorRate: 0.05,
    maxP95Ms: 800,
  });
  assert.equal(effectiveProtocol(config), 'http');
  assert.equal(effectiveProtocol(environmentConfigSchema.parse({})), 'tcp');
  assert.equal(
    effectiveProtocol(environmentConfigSchema.parse({ protocol: 'tcp', healthcheck: config.healthcheck })),
    'tcp',
  );
  const problems = (input: unknown) => {
    const parsed = environmentConfigSchema.safeParse({ rollout: input });
    assert.equal(parsed.success, false);
    return parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? '';
  };
  assert.match(problems({ strategy: 'bluegreen' }), /rollout\.strategy: the only rollout strategy is canary/);
  assert.match(problems({ strategy: 'canary', steps: [50, 10, 100] }), /rollout\.steps: steps must increase/);
  assert.match(
    problems({ strategy: 'canary', steps: [10, 50] }),
    /rollout\.steps: the last step must be 100/,
  );
  assert.match(
    problems({ strategy: 'canary', bake: 'soon' }),
    /rollout\.bake: bake "soon" is not a duration/,
  );
  assert.match(problems({ strategy: 'canary', max_error_rate: 2 }), /rollout\.max_error_rate/);
  assert.match(problems({ strategy: 'canary', minRequests: 5 }), /minRequests/);
});

test('the traffic reporter re-sends an unacknowledged report with the same id, then moves on', async () => {
  const recorder = new TrafficRecorder();
  const tag = { ref: { project: 'p', app: 'a', env: 'e' }, releaseId: 'r1', role: 'stable' as const };
  const sent: TrafficReportMessage[] = [];
  let failNext = true;
  const transport = {
    reportTraffic: async (report: TrafficReportMessage) => {
      sent.push(report);
      if (failNext) {
        failNext = false;
        throw new Error('server restarting');
      }
      return { stored: 1, ignored: 0, duplicate: false };
    },
  } as unknown as AgentTransport;
  const logs: string[] = [];
  recorder.request(tag, 200, 3, 10, 20);
  const stop = startTrafficReporter({ recorder, transport, intervalMs: 20, log: (l) => logs.push(l) });
  const deadline = Date.now() + 10_000;
  while (sent.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  recorder.request(tag, 500, 3, 10, 20);
  await stop();
  assert.equal(sent[0]?.reportId, sent[1]?.reportId);
  assert.equal(sent[0]?.environments[0]?.buckets[0]?.requests, 1);
  // What was counted after the retry went out on stop, in a new report.
  const last = sent[sent.length - 1];
  assert.notEqual(last?.reportId, sent[0]?.reportId);
  assert.deepEqual(last?.environments[0]?.buckets[0]?.status, [0, 0, 0, 0, 1]);
  assert.ok(logs.some((l) => /cannot report traffic \(kept for the next try\): server restarting/.test(l)));
});
