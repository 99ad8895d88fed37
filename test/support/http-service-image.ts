/**
 * A small HTTP service image for deploy tests, built locally on top of the busybox test image
 * (no pulls): busybox httpd serves `/version` (the version string) and `/health` (`OK`); the
 * "broken" variant has no `/health`, so its Docker HEALTHCHECK (wget of /health) never passes.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { readProgress } from '../../src/backends/docker/progress.js';
import { ensureBusyboxImage } from './test-images.js';

export const HTTP_SERVICE_REPO = 'slipway-test/http-service';
export const HTTP_SERVICE_PORT = 8080;

export type HttpServiceVariant = 'v1' | 'v2' | 'v3-broken';

export interface HttpServiceImage {
  variant: HttpServiceVariant;
  /** `slipway-test/http-service:<variant>`. */
  tag: string;
  /** The local image id (`sha256:…`); Swarm runs it without trying a registry. */
  id: string;
  /** What `/version` answers. */
  version: string;
}

/** Builds (or finds, thanks to the build cache) one variant and returns its tag and id. */
export async function ensureHttpServiceImage(
  docker: Dockerode,
  variant: HttpServiceVariant,
): Promise<HttpServiceImage> {
  const base = await ensureBusyboxImage(docker);
  const version = variant.replace('-broken', '');
  const broken = variant.endsWith('-broken');
  const tag = `${HTTP_SERVICE_REPO}:${variant}`;
  const dockerfile = [
    `FROM ${base}`,
    'COPY www /www',
    `EXPOSE ${HTTP_SERVICE_PORT}`,
    // Fast checks so tests do not wait long; deploy specs override them anyway.
    `HEALTHCHECK --interval=1s --timeout=1s --retries=3 CMD wget -q -O- http://127.0.0.1:${HTTP_SERVICE_PORT}/health || exit 1`,
    `CMD ["httpd", "-f", "-p", "${HTTP_SERVICE_PORT}", "-h", "/www"]`,
    '',
  ].join('\n');
  // Tests running side by side ask for the same variants: an image already built from this very
  // recipe is reused instead of rebuilt (concurrent builds of one tag made the engine reset a
  // build connection on a loaded CI machine).
  const recipe = createHash('sha256').update(`${dockerfile}\0${version}\0${broken}`).digest('hex');
  const existing = await docker
    .getImage(tag)
    .inspect()
    .catch(() => null);
  if (existing?.Config?.Labels?.['io.slipway.test.recipe'] === recipe)
    return { variant, tag, id: existing.Id, version };
  const context = await mkdtemp(join(tmpdir(), 'slipway-http-service-'));
  try {
    await mkdir(join(context, 'www'));
    await writeFile(join(context, 'www/version'), version);
    if (!broken) await writeFile(join(context, 'www/health'), 'OK');
    await writeFile(join(context, 'Dockerfile'), dockerfile);
    for (let attempt = 1; ; attempt++) {
      try {
        const tarball = pack(context);
        const stream = await docker.buildImage(tarball as unknown as NodeJS.ReadableStream, {
          t: tag,
          labels: { 'io.slipway.test.recipe': recipe },
        });
        await readProgress(stream);
        break;
      } catch (error) {
        // A reset connection is the engine under load, not the recipe: try once more.
        if (attempt >= 2 || (error as { code?: string }).code !== 'ECONNRESET') throw error;
      }
    }
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const info = await docker.getImage(tag).inspect();
  return { variant, tag, id: info.Id, version };
}
