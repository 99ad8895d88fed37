/**
 * A tiny Node application image for traffic and canary tests, built offline on the Node test
 * image: it answers `/health`, `/version` (its SLIPWAY_RELEASE), `/work` (200, or 500 on every
 * FAIL_EVERY-th request — FAIL_EVERY=5 is 20 %), echoes POST bodies, and accepts WebSocket
 * upgrades (a real handshake, then echoes one text frame). Every answer carries `x-release`,
 * so a load loop can count its failures per version.
 *
 * `/page` stands for a real application's answer (the proxy bench measures it next to the
 * near-empty `/work`): a server-rendered HTML list page, a 200-row orders table built per request
 * from pseudo-random data with a fixed seed (escaped, totalled, formatted), about 35 KB, the same
 * bytes on every request. It never fails, whatever FAIL_EVERY says.
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
const CUSTOMERS = ['Ada Lovelace', 'Grace Hopper', "O'Brien & Sons", 'Zhang Wei', 'Katherine Johnson', 'Linus <Ops>', 'Margaret Hamilton', 'Edsger Dijkstra'];
const ITEMS = ['USB-C cable', 'Mechanical keyboard', 'Monitor arm', '27" display', 'Laptop stand', 'Noise-cancelling headset', 'Webcam', 'Desk lamp'];
const STATUSES = ['paid', 'shipped', 'pending', 'refunded'];
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);
const money = (cents) => (cents / 100).toFixed(2).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ',');
// Built per request on purpose: the work a list page does (query-shaped rows, escaping, sums).
function renderPage() {
  let seed = 0x2545f491;
  const next = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };
  const rows = [];
  for (let i = 0; i < 200; i++) {
    const qty = 1 + (next() % 9);
    const unit = 199 + (next() % 60000);
    rows.push({ id: 10001 + i, customer: CUSTOMERS[next() % CUSTOMERS.length], item: ITEMS[next() % ITEMS.length], qty, unit, total: qty * unit, status: STATUSES[next() % STATUSES.length], day: new Date(Date.UTC(2026, 0, 1) + (next() % 330) * 86400000).toISOString().slice(0, 10) });
  }
  const sum = rows.reduce((a, r) => a + r.total, 0);
  const body = rows.map((r) => '<tr class="' + r.status + '"><td><a href="/orders/' + r.id + '">#' + r.id + '</a></td><td>' + escapeHtml(r.customer) + '</td><td>' + escapeHtml(r.item) + '</td><td>' + r.qty + '</td><td>' + money(r.unit) + '</td><td>' + money(r.total) + '</td><td>' + r.day + '</td></tr>').join('\\n');
  return '<!doctype html>\\n<html lang="en"><head><meta charset="utf-8"><title>Orders</title><style>table{border-collapse:collapse}td,th{padding:2px 6px}td:nth-child(n+4):nth-child(-n+6){text-align:right}.refunded{color:#999}</style></head>\\n<body><h1>Orders</h1><p>' + rows.length + ' orders, ' + money(sum) + ' in total</p>\\n<table><thead><tr><th>Order</th><th>Customer</th><th>Item</th><th>Qty</th><th>Unit</th><th>Total</th><th>Date</th></tr></thead><tbody>\\n' + body + '\\n</tbody></table></body></html>\\n';
}
const server = http.createServer((req, res) => {
  const headers = { 'x-release': release, 'content-type': 'text/plain' };
  if (req.url === '/health') { res.writeHead(200, headers); return res.end('OK'); }
  if (req.url === '/version') { res.writeHead(200, headers); return res.end(release); }
  if (req.url === '/forwarded') {
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    return res.end(JSON.stringify({ for: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], host: req.headers['x-forwarded-host'], env: process.env.SLIPWAY_ENVIRONMENT, sha: process.env.SLIPWAY_COMMIT_SHA }));
  }
  if (req.url === '/page') {
    const html = renderPage();
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
    return res.end(html);
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
  const tag = 'slipway-test/traffic-app:2';
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
