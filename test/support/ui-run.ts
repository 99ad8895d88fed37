/**
 * The set-up that run-page browser tests share: the whole product plus Chromium, a pipeline pushed
 * to a builtin project, and that project's newest run waited for until it ends. One place for it,
 * so a fix to the wait (its bound, what counts as ended) lands in every such test.
 */
import Dockerode from 'dockerode';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isTerminal, type Status } from '../../src/domain/status.js';
import { launchChromium, newContext, signIn, startUiServer, type UiServer } from './browser.js';
import { ensureBusyboxImage } from './test-images.js';
import { ensureWebBuilt } from './web-build.js';

/** How long a pushed run may take to end (ms): generous, the machine is shared. */
const RUN_END_MS = 120_000;

export interface UiWithBrowser {
  server: UiServer;
  browser: Browser;
  /** The busybox image jobs run in (plain `busybox` when Docker is down: the local backend ignores it). */
  image: string;
  close: () => Promise<void>;
}

/** Builds web/dist if stale, starts `slipway server` and Chromium. */
export async function startUiWithBrowser(): Promise<UiWithBrowser> {
  const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
  // With Docker down the server's embedded agent runs jobs on the local backend (image ignored).
  const [image] = await Promise.all([ensureBusyboxImage(docker).catch(() => 'busybox'), ensureWebBuilt()]);
  const server = await startUiServer();
  const browser = await launchChromium().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  return {
    server,
    browser,
    image,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

/** Polls (bounded) until `project`'s newest run has ended; returns its status. */
export async function awaitNewestRunEnd(server: UiServer, project: string): Promise<Status> {
  const deadline = Date.now() + RUN_END_MS;
  for (;;) {
    // The list, not run 1 itself: a push's run is created only after the push has returned.
    const { runs } = await server.api<{ runs: { status: Status }[] }>(
      `/api/projects/${project}/runs?limit=1`,
    );
    const status = runs[0]?.status;
    if (status && isTerminal(status)) return status;
    if (Date.now() > deadline)
      throw new Error(
        `the newest run of ${project} had not ended after ${RUN_END_MS} ms: ${status ?? 'none'}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates builtin `project`, pushes `config` as its `.slipway.yml` and waits for the run to end. */
export async function pushAndAwaitRun(server: UiServer, project: string, config: string): Promise<Status> {
  await server.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({ name: project, source: { kind: 'builtin' } }),
  });
  await server.push(project, config);
  return awaitNewestRunEnd(server, project);
}

/** A fresh context and a page in it, signed in as the admin; close the context when done. */
export async function signedInPage(
  ui: UiWithBrowser,
  opts: { locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(ui.browser, opts);
  const page = await context.newPage();
  try {
    await signIn(page, ui.server.url, ui.server.username, ui.server.password);
  } catch (error) {
    // A sign-in page that never came is the server's story as much as the page's.
    const said = ui.server.printed();
    throw new Error(`${(error as Error).message}\n--- the server printed ---\n${said || '(nothing)'}`);
  }
  return { context, page };
}
