/** `slipway agent` options and its answer to a refused token, in-process (local backend). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { agentCommand } from '../../src/cli/agent.js';
import type { CliIO } from '../../src/cli/exec.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

function io(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const cli: CliIO = {
    stdout: (text) => (out.stdout += text),
    stderr: (text) => (out.stderr += text),
    cwd: process.cwd(),
    env,
    color: false,
  };
  return { cli, out };
}

test('says what is missing or wrong in its options', async () => {
  const { cli } = io();
  await assert.rejects(
    agentCommand([], cli),
    (e: Error) => e instanceof UsageError && /--server is required/.test(e.message),
  );
  await assert.rejects(agentCommand(['--server', 'ftp://x'], cli), /must be an http\(s\) URL/);
  await assert.rejects(
    agentCommand(['--server', 'http://x'], cli),
    /--token \(or SLIPWAY_AGENT_TOKEN\) is required/,
  );
  await assert.rejects(
    agentCommand(['--server', 'http://x', '--token', 't', '--capacity', '0'], cli),
    /--capacity/,
  );
  await assert.rejects(
    agentCommand(['--server', 'http://x', '--token', 't', '--backend', 'vm'], cli),
    /--backend/,
  );
  await assert.rejects(
    agentCommand(['--server', 'http://x', '--token', 't', '--label', 'pool'], cli),
    (e: Error) => e instanceof UsageError && /--label: "pool" is not key=value/.test(e.message),
  );
  await assert.rejects(
    agentCommand(['--server', 'http://x', '--token', 't'], io({ SLIPWAY_AGENT_LABELS: 'pool=a b' }).cli),
    /--label: label value "a b" of pool/,
  );
});

test('stops with exit 1 and a clear message when the server refuses its token', async () => {
  const { cli, out } = io({ SLIPWAY_AGENT_TOKEN: 'sla_wrong' });
  const code = await agentCommand(['--server', t.url, '--backend', 'local'], cli);
  assert.equal(code, 1);
  assert.match(out.stderr, /the server refused this agent: send a valid agent token/);
});
