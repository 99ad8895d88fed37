import type { Kysely } from 'kysely';
import type { LogLine } from '../../domain/log-line.js';
import type { LogService } from '../services.js';
import type { Database } from '../store/tables.js';

/** STUB */
export class DbLogService implements LogService {
  constructor(readonly deps: { db: Kysely<Database>; maxBytes: number }) {}
  async append(_runId: string, _job: string, _lines: LogLine[]): Promise<void> {}
  async read(): Promise<LogLine[]> {
    return [];
  }
  subscribe(): () => void {
    return () => {};
  }
}
