/**
 * A tiny Node application image for traffic and canary tests, built offline on the Node test
 * image: it answers `/health`, `/version` (its SLIPWAY_RELEASE), `/work` (200, or 500 on every
 * FAIL_EVERY-th request — FAIL_EVERY=5 is 20 %), echoes POST bodies, and accepts WebSocket
 * upgrades (a real handshake, then echoes one text frame). Every answer carries `x-release`,
 * so a load loop can count its failures per version.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { readProgress } from '../../src/backends/docker/progress.js';
import { ensureNodeImage } from './node-image.js';

export const TRAFFIC_APP_PORT = 8080;

const APP = `
const http = require('node:http');
const crypto = require('node:crypto');
const release = process.env.SLIPWAY_RELEASE || '?';
const failEvery = Number(process.env.FAIL_EVERY || 0);
let n = 0;
const server = http.createServer((req, res) => {
  const headers = { 'x-release': release, 'content-type': 'text/plain' };
  if (req.url === '/health') { res.writeHead(200, headers); return res.end('OK'); }
  if (req.url === '/version') { res.writeHead(200, headers); return res.end(release); }
  if (req.url === '/forwarded') {
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    return res.end(JSON.stringify({ for: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], host: req.headers['x-forwarded-host'], env: process.env.SLIPWAY_ENVIRONMENT, sha: process.env.SLIPWAY_COMMIT_SHA }));
  }
  if (req.method === 'POST') { res.writeHead(200, headers); return req.pipe(res); }
  n++;
  const fail = failEvery > 0 && n % failEvery === 0;
  res.writeHead(fail ? 500 : 200, headers);
  res.end(fail ? 'failed' : 'ok ' + release);
});
server.keepAliveTimeout = 30000;
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\nx-release: ' + release + '\\r\\n\\r\\n');
  socket.on('data', (frame) => {
    const len = frame[1] & 0x7f;
    const mask = frame.subarray(2, 6);
    const payload = Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]));
    socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(${TRAFFIC_APP_PORT});
`;

export async function ensureTrafficAppImage(docker: Dockerode): Promise<string> {
  const base = await ensureNodeImage(docker);
  const tag = 'slipway-test/traffic-app:1';
  const found = await docker
    .getImage(tag)
    .inspect()
    .catch(() => null);
  if (found) return tag;
  const context = await mkdtemp(join(tmpdir(), 'slipway-traffic-app-'));
  try {
    await writeFile(join(context, 'app.js'), APP);
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${base}\nCOPY app.js /app.js\nEXPOSE ${TRAFFIC_APP_PORT}\nCMD ["node", "/app.js"]\n`,
    );
    const stream = await docker.buildImage(pack(context) as unknown as NodeJS.ReadableStream, { t: tag });
    await readProgress(stream);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return tag;
}
