/**
 * Commit statuses for GitHub, Gitea and GitLab against loopback HTTP servers that check each
 * forge's documented request (path, authentication header, state vocabulary, context field) and
 * refuse anything else as the forge would (401, 422) — no forge is reachable from here. Gitee
 * documents no commit status API: its projects say "not offered".
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { forgeRepo } from '../../src/server/notify/forge-status.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { Forge, ProjectRow } from '../../src/server/store/tables.js';
import { configSources, useSources } from '../runs/fixtures.js';
import { projectRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ONE_JOB, runTo, until } from './notify-fixtures.js';

interface Accepted {
  forge: string;
  path: string;
  state: string;
  context: string;
  targetUrl: string;
}

const SPEC = {
  github: {
    path: /^\/repos\/acme\/shop\/statuses\/[0-9a-f]{40}$/,
    auth: (h: Record<string, string | string[] | undefined>) => h.authorization === 'Bearer gh-token',
    states: ['pending', 'success', 'failure', 'error'],
    context: 'context',
  },
  gitea: {
    path: /^\/api\/v1\/repos\/acme\/shop\/statuses\/[0-9a-f]{40}$/,
    auth: (h: Record<string, string | string[] | undefined>) => h.authorization === 'token gitea-token',
    states: ['pending', 'success', 'error', 'failure', 'warning'],
    context: 'context',
  },
  gitlab: {
    path: /^\/api\/v4\/projects\/group%2Fsub%2Fshop\/statuses\/[0-9a-f]{40}$/,
    auth: (h: Record<string, string | string[] | undefined>) => h['private-token'] === 'gl-token',
    states: ['pending', 'running', 'success', 'failed', 'canceled'],
    context: 'name',
  },
} as const;

/** One fake forge API: checks the documented shape, records what it accepted. */
async function fakeForge(
  forge: keyof typeof SPEC,
  accepted: Accepted[],
): Promise<{ url: string; server: Server }> {
  const spec = SPEC[forge];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      const answer = (status: number, json: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.method !== 'POST' || !spec.path.test(req.url ?? ''))
        return answer(404, { message: 'Not Found' });
      if (!spec.auth(req.headers)) return answer(401, { message: 'Bad credentials' });
      const json = JSON.parse(body) as Record<string, string>;
      if (!(spec.states as readonly string[]).includes(json.state ?? ''))
        return answer(422, { message: 'invalid state' });
      if (!json.target_url?.startsWith('https://ci.example.com/projects/'))
        return answer(422, { message: 'target_url' });
      accepted.push({
        forge,
        path: req.url ?? '',
        state: json.state ?? '',
        context: json[spec.context] ?? '',
        targetUrl: json.target_url,
      });
      answer(201, { id: accepted.length, state: json.state });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('commit statuses', () => {
  let t: TestServer;
  let runs: DbRunService;
  const accepted: Accepted[] = [];
  const servers: Server[] = [];
  before(async () => {
    t = await startTestServer({
      SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1',
      SLIPWAY_DELIVERY_RETRY_BASE: '200ms',
      SLIPWAY_PUBLIC_URL: 'https://ci.example.com',
    });
    runs = useSources(t, configSources(ONE_JOB));
  });
  after(async () => {
    await t.close();
    for (const s of servers) s.close();
  });

  async function remoteProject(forge: Forge, remote: string): Promise<ProjectRow> {
    const row = projectRow({
      source_kind: 'remote',
      forge,
      remote_url: remote,
      webhook_secret: 'x',
      created_at: Date.now(),
    });
    await t.server.ctx.db.insertInto('projects').values(row).execute();
    return row;
  }

  const cases = [
    {
      forge: 'github',
      remote: 'https://github.com/acme/shop.git',
      token: 'gh-token',
      suffix: '',
      outcome: 'succeeded',
      final: 'success',
    },
    {
      forge: 'gitea',
      remote: 'https://git.example.com/acme/shop.git',
      token: 'gitea-token',
      suffix: '/api/v1',
      outcome: 'failed',
      final: 'failure',
    },
    {
      forge: 'gitlab',
      remote: 'https://gitlab.example.com/group/sub/shop.git',
      token: 'gl-token',
      suffix: '/api/v4',
      outcome: 'failed',
      final: 'failed',
    },
  ] as const;

  for (const c of cases) {
    test(`${c.forge}: pending → running → ${c.final} with the documented request, context slipway/<project>`, async () => {
      const forge = await fakeForge(c.forge, accepted);
      servers.push(forge.server);
      const project = await remoteProject(c.forge, c.remote);
      const put = await t.api(`/api/projects/${project.name}/commit-status`, {
        method: 'PUT',
        body: JSON.stringify({ token: c.token, apiUrl: `${forge.url}${c.suffix}` }),
      });
      assert.equal(put.status, 200, await put.clone().text());
      const settings = (await put.json()) as { offered: boolean; enabled: boolean; tokenSet: boolean };
      assert.deepEqual([settings.offered, settings.enabled, settings.tokenSet], [true, true, true]);
      assert.ok(!JSON.stringify(settings).includes(c.token));

      const run = await runTo(t, runs, project, c.outcome);
      const mine = () =>
        accepted.filter((a) => a.forge === c.forge && a.context === `slipway/${project.name}`);
      await until(`the ${c.final} status`, () => mine().some((a) => a.state === c.final));
      const states = mine().map((a) => a.state);
      // Never an older state after the outcome (stale ones are superseded, not sent late).
      assert.equal(states.at(-1), c.final, states.join(','));
      assert.ok(mine().every((a) => a.path.endsWith(`/statuses/${run.sha}`)));
      assert.equal(
        mine()[0]?.targetUrl,
        `https://ci.example.com/projects/${project.name}/runs/${run.number}`,
      );

      const shown = (await (await t.api(`/api/projects/${project.name}/commit-status`)).json()) as {
        lastDelivery: { status: string; responseCode: number; event: string } | null;
      };
      assert.deepEqual([shown.lastDelivery?.status, shown.lastDelivery?.responseCode], ['succeeded', 201]);
    });
  }

  test('a wrong token is refused by the forge (401): shown failed at once with its answer, not retried', async () => {
    const forge = await fakeForge('github', accepted);
    servers.push(forge.server);
    const project = await remoteProject('github', 'https://github.com/acme/shop.git');
    await t.api(`/api/projects/${project.name}/commit-status`, {
      method: 'PUT',
      body: JSON.stringify({ token: 'not-the-token', apiUrl: forge.url }),
    });
    await runTo(t, runs, project, 'succeeded');
    type Shown = {
      lastDelivery: { status: string; responseCode: number; error: string; attempts: number } | null;
    };
    let shown: Shown = { lastDelivery: null };
    await until('the refusal', async () => {
      shown = (await (await t.api(`/api/projects/${project.name}/commit-status`)).json()) as Shown;
      return shown.lastDelivery?.status === 'failed';
    });
    assert.equal(shown.lastDelivery?.responseCode, 401);
    assert.equal(shown.lastDelivery?.attempts, 1);
    assert.match(shown.lastDelivery?.error ?? '', /Bad credentials/);
  });

  test('Gitee offers no commit status API; built-in projects have none either', async () => {
    const gitee = await remoteProject('gitee', 'https://gitee.com/acme/shop.git');
    const shown = (await (await t.api(`/api/projects/${gitee.name}/commit-status`)).json()) as {
      offered: boolean;
    };
    assert.equal(shown.offered, false);
    const put = await t.api(`/api/projects/${gitee.name}/commit-status`, {
      method: 'PUT',
      body: JSON.stringify({ token: 'x' }),
    });
    assert.equal(put.status, 400);
    assert.match(await put.text(), /Gitee offers no commit status API/);
  });
});

test('forge API bases derive from the remote URL (github.com, Enterprise, Gitea below a path, nested GitLab groups)', () => {
  assert.deepEqual(forgeRepo('github', 'https://github.com/acme/shop.git', null), {
    apiBase: 'https://api.github.com',
    path: 'acme/shop',
  });
  assert.deepEqual(forgeRepo('github', 'https://ghe.corp/acme/shop', null), {
    apiBase: 'https://ghe.corp/api/v3',
    path: 'acme/shop',
  });
  assert.deepEqual(forgeRepo('gitea', 'https://corp.example/git/acme/shop.git', null), {
    apiBase: 'https://corp.example/git/api/v1',
    path: 'acme/shop',
  });
  assert.deepEqual(forgeRepo('gitlab', 'https://gitlab.corp:8443/group/sub/shop.git', null), {
    apiBase: 'https://gitlab.corp:8443/api/v4',
    path: 'group/sub/shop',
  });
  assert.equal(forgeRepo('gitlab', 'https://gitlab.corp/shop.git', null), null);
  assert.equal(
    forgeRepo('gitea', 'https://g.example/a/b.git', 'http://127.0.0.1:9/api/v1/')?.apiBase,
    'http://127.0.0.1:9/api/v1',
  );
});
