import type { RunState } from '../../src/server/services.js';
import type { RunStateCall } from './queue-fixture.js';

/**
 * Records the calls made to a server's real RunState (the object the queue holds), passing
 * them through: tests of a whole server see what the queue told RunState, and its effects.
 */
export function spyRunState(runState: RunState): RunStateCall[] {
  const calls: RunStateCall[] = [];
  const target = runState as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  const record: Record<keyof RunState, (args: unknown[]) => RunStateCall> = {
    runStarted: ([runId]) => ({ method: 'runStarted', runId: runId as string }),
    jobUpdate: ([runId, job]) => ({ method: 'jobUpdate', runId: runId as string, job: job as never }),
    runFinished: ([runId, result]) => ({
      method: 'runFinished',
      runId: runId as string,
      result: result as never,
    }),
    failUnfinished: ([runId, reason, message]) => ({
      method: 'failUnfinished',
      runId: runId as string,
      reason: reason as string,
      message: message as string,
    }),
    requeued: ([runId]) => ({ method: 'requeued', runId: runId as string }),
  };
  for (const method of Object.keys(record) as (keyof RunState)[]) {
    const original = target[method]?.bind(runState) as (...args: unknown[]) => Promise<void>;
    target[method] = async (...args: unknown[]) => {
      calls.push(record[method](args));
      return original(...args);
    };
  }
  return calls;
}
