/**
 * An app image for the collect browser test, built offline on the busybox test image: httpd
 * serves a page that loads Slipway's snippet from the test server (so the page's origin differs
 * from Slipway's, as in production), with buttons that send a custom event, throw a client
 * error and navigate client-side; plus `/version` and `/health` for the deploy's health check.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { readProgress } from '../../src/backends/docker/progress.js';
import { HTTP_SERVICE_PORT } from '../support/http-service-image.js';
import { ensureBusyboxImage } from '../support/test-images.js';

export const COLLECT_PAGE_REPO = 'slipway-test/collect-page';

export function pageHtml(slipwayUrl: string, siteKey: string, version: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop ${version}</title>
<script>window.slipway=window.slipway||function(){(slipway.q=slipway.q||[]).push(arguments)};slipway('early',{when:'before-load'});</script>
<script defer src="${slipwayUrl}/s.js" data-site="${siteKey}" data-allow-automation></script>
</head><body>
<h1>Shop ${version}</h1>
<button id="signup" onclick="slipway('signup',{plan:'pro'})">Sign up</button>
<button id="boom" onclick="setTimeout(function(){throw new Error('boom in ${version}')})">Break</button>
<button id="nav" onclick="history.pushState({},'','/second')">Second page</button>
</body></html>
`;
}

/** Builds `<repo>:<tag>` serving the page; returns the tag (remove it after the test). */
export async function buildCollectPage(
  docker: Dockerode,
  tag: string,
  html: string,
  version: string,
): Promise<string> {
  const base = await ensureBusyboxImage(docker);
  const ref = `${COLLECT_PAGE_REPO}:${tag}`;
  const context = await mkdtemp(join(tmpdir(), 'slipway-collect-page-'));
  try {
    await mkdir(join(context, 'www'));
    await writeFile(join(context, 'www/index.html'), html);
    await writeFile(join(context, 'www/version'), version);
    await writeFile(join(context, 'www/health'), 'OK');
    await writeFile(
      join(context, 'Dockerfile'),
      [
        `FROM ${base}`,
        'COPY www /www',
        `EXPOSE ${HTTP_SERVICE_PORT}`,
        `CMD ["httpd", "-f", "-p", "${HTTP_SERVICE_PORT}", "-h", "/www"]`,
        '',
      ].join('\n'),
    );
    const stream = await docker.buildImage(pack(context) as unknown as NodeJS.ReadableStream, { t: ref });
    await readProgress(stream);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return ref;
}
