/**
 * The first hour (issue #14): `npm start` on a fresh machine that cannot pull any image. The
 * demo's first job builds its shell image from the host's busybox (added to the demo commit),
 * and every other job runs in it — a real server process, its embedded agent, the real engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import {
  createAdminToken,
  type SlipwayServerProcess,
  startSlipwayServer,
} from '../support/slipway-server.js';

const PASSWORD = 'demo-offline-password-1';

interface JobJson {
  name: string;
  status: string;
}

describe('the demo project offline', { timeout: 600_000 }, () => {
  let server: SlipwayServerProcess;
  let token: string;
  const docker = new Dockerode();

  before(async () => {
    await docker.ping();
    server = await startSlipwayServer({
      password: PASSWORD,
      killAfterMs: 580_000,
      env: { SLIPWAY_DEMO: 'true' },
    });
    token = await createAdminToken(server.url, PASSWORD, 'demo-test');
  });
  after(async () => {
    await server?.stop();
    // The image the demo built is named after its commit; remove every tag of it.
    const images = await docker.listImages({ filters: { reference: ['slipway-demo/shell'] } });
    for (const image of images)
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => {});
  });

  it('its first run builds the shell image and the other jobs succeed in it, nothing pulled', async () => {
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as T;
    };
    let run: { status: string; jobs: JobJson[] } | null = null;
    // Bounded wait for the run to settle: the manual deploy job leaves it waiting, not running.
    for (let i = 0; i < 240; i++) {
      run = await api<{ status: string; jobs: JobJson[] }>('/api/projects/demo/runs/1');
      const open = run.jobs.filter((j) => ['pending', 'queued', 'running'].includes(j.status));
      if (open.length === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const byName = Object.fromEntries((run?.jobs ?? []).map((j) => [j.name, j.status]));
    const imageLog = await fetch(`${server.url}/api/projects/demo/runs/1/jobs/shell-image/logs/raw`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.text());
    assert.deepEqual(
      byName,
      {
        'shell-image': 'succeeded',
        compile: 'succeeded',
        unit: 'succeeded',
        lint: 'failed',
        ship: 'manual',
      },
      `the image job's log:\n${imageLog}`,
    );
    const log = await fetch(`${server.url}/api/projects/demo/runs/1/jobs/compile/logs/raw`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.text());
    assert.match(log, /hello from Slipway on main/);
  });
});
