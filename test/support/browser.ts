/**
 * Real-browser tests: Debian's chromium driven by playwright-core (never `playwright install`),
 * against a real `slipway server` process with its embedded agent on the real Docker engine.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { git, makeRepo, type TempRepo } from './cli.js';
import { createAdminToken, startSlipwayServer } from './slipway-server.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Every wait in a browser test is bounded by this (ms). */
export const WAIT_MS = 30_000;
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

/** Headless chromium with a throwaway profile: nothing from the machine's own profile leaks in. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    timeout: WAIT_MS,
  });
}

/** A fresh context (own cookies and storage) whose pages time out after WAIT_MS on any wait. */
export async function newContext(
  browser: Browser,
  opts: { width?: number; height?: number; locale?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
    locale: opts.locale ?? 'en-US',
  });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  context.on('page', watchPage);
  return context;
}

/** The last complaints of each watched page: script errors, console errors, failed requests. */
const complaints = new WeakMap<Page, string[]>();
const KEPT_COMPLAINTS = 15;
/** Each watched page's requests without an answer yet, with when they were sent. */
const pending = new WeakMap<Page, Map<Request, number>>();

/**
 * Keeps what `page` complained about, so a failed wait (onPage) can say why a page stayed blank:
 * an exception while rendering, a script that did not load, a server error. Idempotent.
 */
export function watchPage(page: Page): void {
  if (complaints.has(page)) return;
  const kept: string[] = [];
  complaints.set(page, kept);
  // A page stuck on "Loading…" is usually waiting for one answer: the failure names it.
  const open = new Map<Request, number>();
  pending.set(page, open);
  page.on('request', (request) => open.set(request, Date.now()));
  page.on('requestfinished', (request) => open.delete(request));
  const note = (line: string) => {
    kept.push(line.slice(0, 400));
    if (kept.length > KEPT_COMPLAINTS) kept.shift();
  };
  retryNavigationOnNetworkChange(page);
  page.on('pageerror', (error) => note(`script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') note(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => {
    open.delete(request);
    const why = request.failure()?.errorText ?? '';
    // A navigation aborts the previous page's requests (its event stream too): not a problem.
    if (why !== 'net::ERR_ABORTED') note(`request failed: ${request.method()} ${request.url()} ${why}`);
  });
  page.on('response', (response) => {
    const status = response.status();
    if (status >= 500 || (status === 404 && response.url().includes('/assets/')))
      note(`answer ${status}: ${response.request().method()} ${response.url()}`);
  });
}

/**
 * Chromium fails every request in flight with ERR_NETWORK_CHANGED when a network interface gets an
 * address, and on a Docker host that happens whenever a container or network starts (the tests
 * run pipelines beside the browser). A navigation that failed so is not the page's fault: it is
 * tried again, as a reader would press reload. (The UI's own files that fail so are the boot
 * guard's business, web/public/boot-guard.js.)
 */
function retryNavigationOnNetworkChange(page: Page): void {
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  page.goto = (url, options) => againOnNetworkChange(() => goto(url, options));
  page.reload = (options) => againOnNetworkChange(() => reload(options));
}

async function againOnNetworkChange<T>(navigate: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await navigate();
    } catch (error) {
      if (attempt >= 3 || !/ERR_NETWORK_CHANGED/.test((error as Error).message)) throw error;
    }
  }
}

export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  watchPage(page);
  await onPage(page, async () => {
    await page.goto(url);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', password);
    await page.click('button[type=submit]');
    // The sign-in page has the language picker too: done is when the form has gone.
    await page.waitForSelector('input[name="password"]', { state: 'detached' });
    await page.waitForSelector('select[data-testid=lang]');
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export interface UiServer {
  url: string;
  port: number;
  username: 'admin';
  password: string;
  /** An admin API token (created through the API after signing in, as a user would). */
  token: string;
  /** fetch with the admin token; throws with the server's answer on non-2xx. */
  api: <T = unknown>(path: string, init?: RequestInit) => Promise<T>;
  /** Creates a repository with `.slipway.yml` = config and pushes `branch` to `project` over smart HTTP. */
  push: (
    project: string,
    config: string,
    branch?: string,
    files?: Record<string, string>,
  ) => Promise<TempRepo>;
  /** The last lines the server process printed (warnings and errors), for a failure's message. */
  printed: () => string;
  stop: () => Promise<void>;
}

/**
 * The whole product as a user runs it: `slipway server` in a temp data dir, embedded agent on,
 * an admin password from the environment. Resolves once it says it is running.
 */
export async function startUiServer(env: Record<string, string> = {}): Promise<UiServer> {
  const password = `ui-admin-${Math.random().toString(36).slice(2)}-pw`;
  const server = await startSlipwayServer({ password, env, killAfterMs: 900_000 });
  const { url, port } = server;
  const repos: TempRepo[] = [];
  const token = await createAdminToken(url, password, 'browser-tests');

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    const text = await res.text();
    assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    url,
    port,
    username: 'admin',
    password,
    token,
    api,
    push: async (project, config, branch = 'main', files = {}) => {
      const repo = await makeRepo({ config, branch, files });
      repos.push(repo);
      await git(repo.dir, [
        'remote',
        'add',
        'slipway',
        `http://admin:${token}@127.0.0.1:${port}/git/${project}.git`,
      ]);
      await git(repo.dir, ['-c', 'credential.helper=', 'push', '-q', 'slipway', branch]);
      return repo;
    },
    printed: () => `${server.proc.stdout}\n${server.proc.stderr}`.trim().slice(-3000),
    stop: async () => {
      await server.stop();
      for (const repo of repos) await repo.cleanup();
    },
  };
}

/**
 * Runs `fn`; when it fails, the error says which page it was on and what that page showed, so a
 * failed wait in CI explains itself without a screenshot viewer.
 */
export async function onPage<T>(page: Page, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const text = await page
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, line by line, is what a reader of the failure needs
      .innerText('body', { timeout: 2000 })
      .catch((e: Error) => `(no body: ${e.message})`);
    const message = error instanceof Error ? error.message : String(error);
    const said = complaints.get(page) ?? [];
    const complained = said.length > 0 ? `\n--- the page complained ---\n${said.join('\n')}` : '';
    const now = Date.now();
    const waiting = [...(pending.get(page) ?? new Map<Request, number>())]
      .filter(([request]) => !/\/events\b/.test(request.url()))
      .map(
        ([request, sent]) => `${request.method()} ${request.url()} (${((now - sent) / 1000).toFixed(1)} s)`,
      );
    const unanswered = waiting.length > 0 ? `\n--- still unanswered ---\n${waiting.join('\n')}` : '';
    throw new Error(
      `${message}\n--- ${page.url()} showed ---\n${text.slice(0, 3000)}${complained}${unanswered}`,
    );
  }
}

export interface TcpProxy {
  url: string;
  /** Cuts every open connection (both sides), as a network drop or a proxy restart would. */
  dropAll: () => void;
  /** While on, new connections are cut at once: the server looks unreachable, not slow. */
  refuse: (on: boolean) => void;
  close: () => Promise<void>;
}

/**
 * A plain TCP proxy in front of the server, so a test can really drop the browser's connections
 * (an SSE stream included) while server and browser keep running.
 */
export async function startTcpProxy(
  targetPort: number,
  opts: {
    /**
     * A slow link: what the server sends on a connection reaches the browser this many ms later,
     * chosen by the connection's first request line (`GET /assets/x.js HTTP/1.1`).
     */
    latencyMs?: (requestLine: string) => number;
    /** Called with the number of connections opened so far, as each one opens. */
    onConnection?: (count: number) => void;
  } = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  let opened = 0;
  const proxy = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    opened += 1;
    opts.onConnection?.(opened);
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    const latencyOf = opts.latencyMs;
    if (latencyOf) {
      let latency: number | undefined;
      client.once('data', (chunk: Buffer) => {
        latency = latencyOf(chunk.toString('latin1').split('\r\n', 1)[0] ?? '');
      });
      // Timers of one delay fire in the order they were set: the bytes keep their order.
      const later = (send: () => void) => setTimeout(send, latency ?? 0);
      upstream.on('data', (chunk) => later(() => client.writable && client.write(chunk)));
      upstream.on('end', () => later(() => client.end()));
    } else upstream.pipe(client);
  });
  const port = await new Promise<number>((resolvePort) =>
    proxy.listen(0, '127.0.0.1', () => resolvePort((proxy.address() as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    refuse: (on) => {
      refusing = on;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => done());
      }),
  };
}
