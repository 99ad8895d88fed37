import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { type GitChild, spawnGit } from './git-cli.js';

/**
 * `git http-backend` as a CGI program: git implements the smart HTTP protocol (ref
 * advertisement, upload-pack, receive-pack, protocol v2), we give it a request and relay its
 * answer. Its environment is the CGI minimum plus what git-cli adds — none of the server's own
 * variables. The caller has authenticated and authorised the request (REMOTE_USER is who).
 */

export interface CgiRequest {
  /** The directory holding the repositories (`<dataDir>/repos`). */
  projectRoot: string;
  /** `/<id>.git/info/refs`, `/<id>.git/git-upload-pack`… — built by the caller from a project id. */
  pathInfo: string;
  method: 'GET' | 'POST';
  queryString: string;
  contentType: string;
  remoteUser: string;
  remoteAddr: string;
  /** The client's `Git-Protocol` header (protocol v2), when well-formed. */
  gitProtocol: string | null;
  /** `git config` pairs for this request only (GIT_CONFIG_COUNT), over the repository's own. */
  config?: [string, string][];
  /** Already decompressed and size-limited; null for GET. */
  body: Readable | null;
  timeoutMs: number;
}

export interface CgiResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
  exited: GitChild['exited'];
  kill(): void;
}

const MAX_HEADER_BYTES = 64 * 1024;

export async function runHttpBackend(req: CgiRequest): Promise<CgiResponse> {
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: req.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: req.pathInfo,
    REQUEST_METHOD: req.method,
    QUERY_STRING: req.queryString,
    CONTENT_TYPE: req.contentType,
    REMOTE_USER: req.remoteUser,
    REMOTE_ADDR: req.remoteAddr,
  };
  if (req.gitProtocol) env.GIT_PROTOCOL = req.gitProtocol;
  const config = req.config ?? [];
  if (config.length > 0) {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
  }
  const child = spawnGit(['http-backend'], { env, timeoutMs: req.timeoutMs });
  if (req.body) {
    // A client that goes away mid-push (or a body over its limit) ends the git process too.
    pipeline(req.body, child.stdin, (error) => {
      if (error) child.kill();
    });
  } else {
    child.stdin.end();
  }
  const { status, headers } = await readCgiHeaders(child.stdout, child.exited);
  return { status, headers, body: child.stdout, exited: child.exited, kill: child.kill };
}

/**
 * Reads the CGI header block (`Name: value` lines up to an empty line) off the front of
 * `stdout` and leaves the body in the stream. `Status:` becomes the status code.
 */
function readCgiHeaders(
  stdout: Readable,
  exited: GitChild['exited'],
): Promise<{ status: number; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      stdout.off('data', onData);
      stdout.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = headerEnd(buffered);
      if (end === null) {
        if (buffered.length > MAX_HEADER_BYTES) {
          cleanup();
          reject(new Error('git http-backend sent an oversized header'));
        }
        return;
      }
      cleanup();
      stdout.pause();
      const rest = buffered.subarray(end.bodyStart);
      if (rest.length > 0) stdout.unshift(rest);
      resolve(parseHeaderBlock(buffered.subarray(0, end.headerEnd).toString('latin1')));
    };
    const onEnd = () => {
      cleanup();
      exited.then(
        ({ code, stderr }) =>
          reject(new Error(`git http-backend ended without a response (exit ${code}): ${stderr}`)),
        reject,
      );
    };
    stdout.on('data', onData);
    stdout.on('end', onEnd);
  });
}

function headerEnd(buffer: Buffer): { headerEnd: number; bodyStart: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return null;
}

function parseHeaderBlock(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
