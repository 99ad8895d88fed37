import type { Kysely } from 'kysely';
import type { JobResultMessage, RunFinishMessage } from '../../protocol/agent-protocol.js';
import type { EventBus, RunState } from '../services.js';
import type { Database } from '../store/tables.js';

/** STUB */
export class DbRunState implements RunState {
  constructor(readonly deps: { db: Kysely<Database>; events: EventBus; now: () => number }) {}
  async runStarted(_runId: string): Promise<void> {}
  async jobUpdate(_runId: string, _job: JobResultMessage): Promise<void> {}
  async runFinished(_runId: string, _result: RunFinishMessage): Promise<void> {}
  async failUnfinished(_runId: string, _reason: 'agent_lost', _message: string): Promise<void> {}
  async requeued(_runId: string): Promise<void> {}
}
