/**
 * Worker-thread entry for loadConfig: the server hands it texts that may take a while to parse
 * (a megabyte of YAML costs the library seconds) so its event loop keeps serving requests.
 * Messages: `{ id, text, file, included? }` in, `{ id, result }` out. Stateless; one request at a time.
 */
import { parentPort } from 'node:worker_threads';
import type { Included } from './include.js';
import { loadConfig } from './load-config.js';

interface Request {
  id: number;
  text: string;
  file: string;
  included?: Included;
}

const port = parentPort;
if (port) {
  port.on('message', (request: Request) => {
    port.postMessage({
      id: request.id,
      result: loadConfig(request.text, request.file, request.included ? { included: request.included } : {}),
    });
  });
}
