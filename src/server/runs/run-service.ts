import type { ServerContext } from '../context.js';
import type { RunService } from '../services.js';
import type { RunRow } from '../store/tables.js';

const todo = () => Promise.reject(new Error('not implemented'));

export type RunServiceDeps = Omit<ServerContext, 'runs' | 'queue'>;

/** STUB */
export class DbRunService implements RunService {
  constructor(readonly deps: RunServiceDeps) {}
  createRun = todo as () => Promise<RunRow>;
  cancel = todo as () => Promise<void>;
  rerun = todo as () => Promise<RunRow>;
  playJob = todo as () => Promise<void>;
}
