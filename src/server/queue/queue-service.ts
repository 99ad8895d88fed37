import type { Readable } from 'node:stream';
import type { LeaseMessage } from '../../protocol/agent-protocol.js';
import type { ServerContext } from '../context.js';
import type { QueueService } from '../services.js';

const todo = () => Promise.reject(new Error('not implemented'));

export type QueueServiceDeps = Omit<ServerContext, 'queue'>;

/** STUB */
export class DbQueueService implements QueueService {
  constructor(readonly deps: QueueServiceDeps) {}
  lease = todo as () => Promise<LeaseMessage | null>;
  heartbeat = todo as () => Promise<{ cancel: boolean }>;
  jobUpdate = todo as () => Promise<{ cancel: boolean }>;
  logs = todo as () => Promise<{ cancel: boolean }>;
  finish = todo as () => Promise<void>;
  source = todo as () => Promise<Readable>;
  expireLeases = async (_now: number) => 0;
}
