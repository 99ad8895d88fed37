/**
 * Issue #9 item 12: a secret holding a control character used to reach the Docker engine,
 * which refused the environment value and quoted it (`\x00`-escaped) in its error; that error
 * became the job's failure message and a log line. Now such a value is refused before any
 * container is created, and every failure message is masked before it leaves the run (and
 * again by the agent's reporter), including the escaped forms engines print.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { LeaseReporter } from '../../src/agent/lease-reporter.js';
import type { Backend, JobOutcome } from '../../src/backends/backend.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import type { JobResultMessage } from '../../src/protocol/agent-protocol.js';
import type { AgentTransport } from '../../src/protocol/agent-transport.js';
import { runMasker, runPipeline } from '../../src/runtime/run-pipeline.js';
import type { RunResult } from '../../src/runtime/run-result.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const NUL_SECRET = 'abc\u0000defghij"kl';
/** How the engine (Go's %q) quotes the value in its error. */
const GO_QUOTED = 'abc\\x00defghij\\"kl';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '69eb5e8c0ffee0000000000000000000deadbeef',
  author: 'sakeven',
  message: 'secret values',
};

function planOf(image: string) {
  const loaded = loadConfig(
    `version: 1\nimage: ${image}\nstages:\n  - name: s\n    jobs:\n      leaky:\n        secrets: [TOKEN]\n        script: [echo "$TOKEN"]\n`,
    'secret-values.yml',
  );
  assert.ok(loaded.config);
  return compilePlan(loaded.config, event);
}

/** The run's failure messages and log lines, as one text to search. */
async function runWith(
  backend: Backend,
  image: string,
  secret: string,
): Promise<{ result: RunResult; text: string }> {
  const lines: string[] = [];
  const result = await runPipeline(planOf(image), {
    runId: `sv-${randomUUID().slice(0, 8)}`,
    runNumber: 1,
    backend,
    source: { kind: 'empty' },
    secrets: { TOKEN: secret },
    labels: { 'io.slipway.owner': `test:${process.pid}` },
    onEvent: (e) => {
      if (e.type === 'log') lines.push(e.line.text);
    },
  });
  const failures = result.jobs.map((j) => j.failure?.message ?? '');
  return { result, text: [...failures, ...lines].join('\n') };
}

function assertNoLeak(text: string) {
  for (const form of [NUL_SECRET, GO_QUOTED, 'abc\\u0000defghij', 'defghij']) {
    assert.ok(!text.includes(form), `leaked ${JSON.stringify(form)} in:\n${text}`);
  }
}

describe('secret values with control characters', { timeout: 60_000 }, () => {
  before(async () => {
    await ensureBusyboxImage(docker);
  });

  test('a stored secret with a NUL byte fails its job as a config error naming it, on the real engine', async () => {
    const { result, text } = await runWith(new DockerBackend({ docker }), BUSYBOX_IMAGE, NUL_SECRET);
    const job = result.jobs[0]!;
    assert.equal(job.status, 'failed');
    assert.equal(job.failure?.reason, 'config_error', text);
    assert.match(job.failure?.message ?? '', /secret TOKEN contains the control character U\+0000/);
    assertNoLeak(text);
  });

  test('a failure message quoting a secret, escaped as an engine would, is masked', async () => {
    // A backend whose error quotes the value (any engine, registry or tool may): the runtime
    // masks the message it did not write itself.
    const secret = 'tab\there"and\\back-slash';
    const quoted = 'tab\\there\\"and\\\\back-slash';
    const quoting: Backend = {
      name: 'quoting',
      probe: async () => ({ ok: true }),
      setupRun: async () => {},
      runJob: async (job): Promise<JobOutcome> => ({
        kind: 'backend_error',
        message: `starting the job container: invalid env "TOKEN=${quoted}" in ${job.name}\nplain: ${job.env.TOKEN}`,
      }),
      destroyRun: async () => {},
      pruneWorkspaces: async () => [],
    };
    const { result, text } = await runWith(quoting, 'any', secret);
    assert.equal(result.jobs[0]?.failure?.reason, 'backend_error');
    assert.match(result.jobs[0]?.failure?.message ?? '', /invalid env "TOKEN=\*{8}" in leaky\nplain: \*{8}/);
    for (const form of [secret, quoted, 'back-slash']) assert.ok(!text.includes(form), text);
  });
});

describe('the agent reporter masks what it sends', () => {
  const sent: JobResultMessage[] = [];
  const transport: AgentTransport = {
    lease: async () => null,
    heartbeat: async () => ({ cancel: false }),
    jobUpdate: async (_lease, update) => {
      sent.push(update);
      return { cancel: false };
    },
    logs: async () => ({ cancel: false }),
    source: async () => Readable.from([]),
    finish: async () => {},
  };
  after(() => {
    sent.length = 0;
  });

  test('failure and skip messages of job updates', async () => {
    const masker = runMasker({ TOKEN: 'hunter2-hunter2' }, [
      { host: 'registry.example', username: 'u', password: 'registry-pass-word' },
    ]);
    const reporter = new LeaseReporter({
      transport,
      leaseId: 'L',
      onCancel: () => {},
      onGone: () => {},
      log: () => {},
      mask: (text) => masker.maskText(text),
    });
    reporter.job({
      name: 'j',
      stage: 's',
      status: 'failed',
      allowFailure: false,
      failure: { reason: 'backend_error', message: 'push: bad password "registry-pass-word"' },
      skip: { code: 'upstream_failed', message: 'because aHVudGVyMi1odW50ZXIy' },
      exitCode: null,
      startedAt: 1,
      finishedAt: 2,
    });
    await reporter.close();
    assert.equal(sent[0]?.failure?.message, 'push: bad password "********"');
    assert.equal(sent[0]?.skip?.message, 'because ********');
  });
});
