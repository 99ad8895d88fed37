/**
 * SLIPWAY_PUBLISH_HOST: the interface deployed applications' published ports listen on. Default
 * 0.0.0.0 (reachable from outside, as `docker run -p` is); 127.0.0.1 keeps them for a reverse
 * proxy on the same host. From the server's config through the embedded agent to the port proxy,
 * on the real engine; and the standalone agent's option.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { agentCommand } from '../../src/cli/agent.js';
import { startEmbeddedAgent } from '../../src/cli/embedded-agent.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { EnvironmentProxies } from '../../src/deploy/environment-proxies.js';
import { ConfigError, loadServerConfig } from '../../src/server/config.js';
import { freePort } from '../support/free-port.js';
import { ensureHttpServiceImage } from '../support/http-service-image.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createWebApplication } from './deploy-fixture.js';

/** An IPv4 address of this machine that is not loopback (the Docker bridge at least), or null. */
function outsideAddress(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('SLIPWAY_PUBLISH_HOST setting', () => {
  test('defaults to 0.0.0.0, takes an IP, refuses anything else naming the variable', () => {
    assert.equal(loadServerConfig({}, '/tmp').publishHost, '0.0.0.0');
    assert.equal(loadServerConfig({ SLIPWAY_PUBLISH_HOST: '127.0.0.1' }, '/tmp').publishHost, '127.0.0.1');
    assert.equal(loadServerConfig({ SLIPWAY_PUBLISH_HOST: '::' }, '/tmp').publishHost, '::');
    assert.throws(
      () => loadServerConfig({ SLIPWAY_PUBLISH_HOST: 'localhost' }, '/tmp'),
      (e: unknown) =>
        e instanceof ConfigError && /SLIPWAY_PUBLISH_HOST: must be an IP address/.test(e.message),
    );
  });

  test('slipway agent refuses a --publish-host (or SLIPWAY_PUBLISH_HOST) that is not an IP', async () => {
    const io = { stdout: () => {}, stderr: () => {}, cwd: '/tmp', color: false };
    const base = ['--server', 'http://127.0.0.1:9', '--token', 'sla_x'];
    await assert.rejects(
      agentCommand([...base, '--publish-host', 'my-host'], { ...io, env: {} }),
      (e: unknown) => e instanceof UsageError && /--publish-host .*"my-host"/.test(e.message),
    );
    await assert.rejects(
      agentCommand(base, { ...io, env: { SLIPWAY_PUBLISH_HOST: '1.2.3' } }),
      (e: unknown) => e instanceof UsageError && /SLIPWAY_PUBLISH_HOST/.test(e.message),
    );
  });

  test('the port proxies of an environment listen on the host they are given', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const proxies = new EnvironmentProxies(host);
      const port = await freePort();
      try {
        assert.equal(await proxies.bind([{ published: port, target: 80 }]), null);
        assert.equal(proxies.boundHosts().get(port), host);
      } finally {
        await proxies.close();
      }
    }
  });
});

describe('published ports of a deployed application', () => {
  const docker = new Dockerode();
  const names = { project: `pub${Date.now().toString(36)}`, app: 'web', env: 'staging' };
  let t: TestServer;
  let stopAgent: () => Promise<void>;

  before(async () => {
    t = await startTestServer({ SLIPWAY_PUBLISH_HOST: '127.0.0.1' });
    stopAgent = await startEmbeddedAgent(t.server, new DockerBackend({ docker }), 1, docker);
  });
  after(async () => {
    await stopAgent?.();
    await new DockerTarget({ docker }).remove(names).catch(() => {});
    await t?.close();
  });

  test('with SLIPWAY_PUBLISH_HOST=127.0.0.1 the embedded agent publishes on loopback only', async () => {
    const v1 = await ensureHttpServiceImage(docker, 'v1');
    const port = await freePort();
    await createWebApplication(t, names, port);
    const base = `/api/projects/${names.project}/applications/${names.app}`;
    const res = await t.api(`${base}/environments/${names.env}/deploy`, {
      method: 'POST',
      body: JSON.stringify({ image: v1.tag }),
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    const { number } = JSON.parse(text) as { number: number };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const list = (await (await t.api(`${base}/releases`)).json()) as {
        releases: { number: number; status: string; reason: string | null }[];
      };
      const release = list.releases.find((r) => r.number === number);
      if (release && !['queued', 'running'].includes(release.status)) {
        assert.equal(release.status, 'succeeded', release.reason ?? '');
        break;
      }
      if (Date.now() > deadline) throw new Error(`release #${number} did not end`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await accepts('127.0.0.1', port), true, 'reachable on loopback');
    const outside = outsideAddress();
    if (outside) assert.equal(await accepts(outside, port), false, `not reachable on ${outside}`);
  });
});
