/**
 * The Insights page in Chromium for bench/insights.bench.ts: one cold load (fresh context) up to
 * the key numbers and up to the charts drawn, with where the time went (each script chunk's and
 * API call's start and end). With `dist`, the UI files (index.html, /assets/*) are answered from
 * that build directory instead of the server, while the API still goes to the server — so two
 * builds of the UI (before/after a change) can be measured in the same run, rounds interleaved,
 * against the same data and the same machine load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { newContext } from '../test/support/browser.js';

export interface PageLoad {
  numbersAt: number;
  chartsAt: number;
  timings: Record<string, number>;
}

const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css', html: 'text/html' };

export async function loadInsightsPage(
  browser: Browser,
  url: string,
  cookie: { name: string; value: string },
  dist?: string,
): Promise<PageLoad> {
  const context = await newContext(browser);
  try {
    await context.addCookies([{ ...cookie, url }]);
    if (dist) {
      await context.route(`${url}/**`, async (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path.startsWith('/api/')) return route.continue();
        const file = path.startsWith('/assets/') ? join(dist, path) : join(dist, 'index.html');
        const ext = file.split('.').pop() ?? '';
        return route.fulfill({
          body: readFileSync(file),
          contentType: TYPES[ext] ?? 'application/octet-stream',
        });
      });
    }
    const page = await context.newPage();
    await page.goto(`${url}/projects/bench/insights`, { waitUntil: 'commit' });
    const numbersAt = await page
      .waitForFunction(
        () => document.querySelector('[data-testid=insights-failures] .insights-band') && performance.now(),
        null,
        { polling: 'raf', timeout: 60_000 },
      )
      .then((h) => h.jsonValue() as Promise<number>);
    const chartsAt = await page
      .waitForFunction(
        () =>
          document.querySelector('[data-testid=insights-failures] .insights-band') &&
          // uPlot marks its box once drawn; the svg path is what the echarts version drew.
          document.querySelector(
            '[data-testid=insights-value-stream] [data-chart-drawn], [data-testid=insights-value-stream] svg path',
          ) &&
          performance.now(),
        null,
        { polling: 'raf', timeout: 60_000 },
      )
      .then((h) => h.jsonValue() as Promise<number>);
    return { numbersAt, chartsAt, timings: await page.evaluate(pageTimings) };
  } finally {
    await context.close();
  }
}

/**
 * Runs in the page: the navigation's and each resource's start/end (script chunks by name without
 * their hash, the API calls by path) and their sizes, so the gaps (parse, render) can be read.
 */
function pageTimings(): Record<string, number> {
  // The browser's Performance (the bench is typed against Node's, which lacks these entry types).
  type Timing = { name: string; startTime: number; responseEnd: number; encodedBodySize?: number };
  type Nav = Timing & { domContentLoadedEventEnd: number };
  const perf = (globalThis as unknown as { performance: { getEntriesByType(type: string): Timing[] } })
    .performance;
  const out: Record<string, number> = {};
  const nav = perf.getEntriesByType('navigation')[0] as Nav | undefined;
  if (nav) {
    out['document: response end'] = nav.responseEnd;
    out['document: DOMContentLoaded end'] = nav.domContentLoadedEventEnd;
  }
  for (const e of perf.getEntriesByType('resource')) {
    const url = new URL(e.name);
    const name = url.pathname.startsWith('/api/')
      ? url.pathname
      : (url.pathname.split('/').pop() ?? '').replace(/-[\w-]{8}\.(js|css)$/, '.$1');
    if (!/\.(js|css)$/.test(name) && !name.startsWith('/api/')) continue;
    out[`${name}: start`] = e.startTime;
    out[`${name}: end`] = e.responseEnd;
    if (e.encodedBodySize) out[`${name}: size (bytes)`] = e.encodedBodySize;
  }
  return out;
}
