import { CronExpressionParser } from 'cron-parser';

/**
 * Cron expressions of schedules: the classic five fields (minute … day of week) or a macro such
 * as `@daily`, evaluated in UTC. Six-field expressions (with seconds) and `@secondly`/`@minutely`
 * are refused: a CI schedule that fires every second would flood the queue.
 */
const MACROS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@hourly',
  '@weekdays',
  '@weekends',
]);

/** Why the expression is not usable, or null when it is. */
export function cronProblem(expression: string): string | null {
  const text = expression.trim();
  if (text.startsWith('@')) {
    return MACROS.has(text) ? null : `unknown macro ${text} (use ${[...MACROS].join(', ')})`;
  }
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  try {
    CronExpressionParser.parse(text, { tz: 'UTC' });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid cron expression';
  }
}

/**
 * The first firing strictly after `after` (Unix ms). `seed` fixes what `H` (hashed) fields pick,
 * so one schedule keeps its minute while different schedules spread out.
 */
export function nextCronTime(expression: string, after: number, seed: string): number {
  const interval = CronExpressionParser.parse(expression.trim(), {
    currentDate: new Date(after),
    tz: 'UTC',
    hashSeed: seed,
  });
  return interval.next().getTime();
}
