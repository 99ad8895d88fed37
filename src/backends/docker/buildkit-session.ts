/**
 * A BuildKit session, so that `RUN --mount=type=secret,id=NAME` can read secrets without them
 * ever being build args, layers or history. The client opens `POST /session`, which the engine
 * upgrades (h2c) and hijacks; from then on the *engine* is the HTTP/2 client and we serve gRPC
 * on that socket: the secrets service and the health check BuildKit pings. The build request
 * names the session with `session=<uuid>`.
 *
 * The messages are tiny, so they are encoded by hand (see protobuf.ts); gRPC framing is one
 * compressed-flag byte, a 4-byte big-endian length, then the message.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type Dockerode from 'dockerode';
import { encodeBytes, encodeVarintField, readFields, stringField } from './protobuf.js';

const GET_SECRET = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
const GRPC_OK = 0;
const GRPC_NOT_FOUND = 5;
const GRPC_UNIMPLEMENTED = 12;

export interface BuildSession {
  id: string;
  close(): void;
}

/** Opens a session serving `secrets`; rejects with a readable reason when the engine refuses. */
export async function openBuildSession(
  docker: Dockerode,
  secrets: Record<string, string>,
  timeoutMs = 10_000,
): Promise<BuildSession> {
  const id = randomUUID();
  const modem = docker.modem as {
    socketPath?: unknown;
    getSocketPath?: () => Promise<string> | undefined;
    host?: unknown;
    port?: unknown;
    protocol?: unknown;
  };
  // docker-modem's default socket path is a function it resolves itself (~/.docker/run or /var/run).
  const socketPath = modem.socketPath ? await modem.getSocketPath?.() : undefined;
  if (socketPath === undefined && modem.protocol === 'https') {
    throw new Error('build sessions over TLS engine connections are not supported');
  }
  const target =
    socketPath !== undefined ? { socketPath } : { host: String(modem.host), port: Number(modem.port) };
  const socket = await new Promise<Socket>((resolve, reject) => {
    const req = httpRequest({
      ...target,
      method: 'POST',
      path: '/session',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'h2c',
        'X-Docker-Expose-Session-Uuid': id,
        'X-Docker-Expose-Session-Name': 'slipway',
        'X-Docker-Expose-Session-Sharedkey': '',
        // One header per method we serve; node sends an array as repeated headers.
        'X-Docker-Expose-Session-Grpc-Method': [GET_SECRET, HEALTH_CHECK],
      },
      timeout: timeoutMs,
    });
    req.on('upgrade', (_res, sock, head) => {
      if (head.length > 0) sock.unshift(head);
      resolve(sock);
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () =>
        reject(new Error(`the engine refused a build session (HTTP ${res.statusCode}): ${body.trim()}`)),
      );
    });
    req.on('timeout', () =>
      req.destroy(new Error(`no answer to the session request within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
  socket.setTimeout(0);
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => serve(stream, String(headers[':path']), secrets));
  // Stray protocol errors on a session must not crash the agent; the build reports its own.
  server.on('sessionError', () => {});
  server.emit('connection', socket);
  return {
    id,
    close: () => {
      socket.destroy();
      server.close();
    },
  };
}

function serve(stream: ServerHttp2Stream, path: string, secrets: Record<string, string>): void {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('error', () => {});
  stream.on('end', () => {
    const body = Buffer.concat(chunks);
    const message = body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)) : Buffer.alloc(0);
    if (path === HEALTH_CHECK) {
      // HealthCheckResponse { ServingStatus status = 1 }, SERVING = 1.
      reply(stream, GRPC_OK, encodeVarintField(1, 1));
    } else if (path === GET_SECRET) {
      // GetSecretRequest { string ID = 1; map<string,string> annotations = 2 }.
      const secretId = stringField(readFields(message), 1) ?? '';
      const value = Object.hasOwn(secrets, secretId) ? secrets[secretId] : undefined;
      if (value === undefined) reply(stream, GRPC_NOT_FOUND, null, `secret ${secretId} not found`);
      // GetSecretResponse { bytes data = 1 }.
      else reply(stream, GRPC_OK, encodeBytes(1, value));
    } else {
      reply(stream, GRPC_UNIMPLEMENTED, null, `${path} is not served by this session`);
    }
  });
}

function reply(stream: ServerHttp2Stream, status: number, message: Buffer | null, error?: string): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => {
    stream.sendTrailers({
      'grpc-status': String(status),
      ...(error ? { 'grpc-message': encodeURI(error) } : {}),
    });
  });
  if (message) {
    const frame = Buffer.alloc(5);
    frame.writeUInt8(0, 0);
    frame.writeUInt32BE(message.length, 1);
    stream.end(Buffer.concat([frame, message]));
  } else stream.end();
}
