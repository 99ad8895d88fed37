import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { RefInfo, SourceService } from '../services.js';

const todo = () => Promise.reject(new Error('not implemented'));

/** STUB */
export class GitSourceService implements SourceService {
  constructor(readonly deps: { dataDir: string; log: FastifyBaseLogger }) {}
  ensureRepository = todo as () => Promise<void>;
  refresh = todo as () => Promise<void>;
  readFile = todo as () => Promise<string | null>;
  resolve = todo as () => Promise<string | null>;
  commitInfo = todo as () => Promise<null>;
  listRefs = todo as () => Promise<{ branches: RefInfo[]; tags: RefInfo[] }>;
  archive = todo as () => Promise<Readable>;
  commitDirectory = todo as () => Promise<string>;
  changedFiles = todo as () => Promise<string[]>;
}
