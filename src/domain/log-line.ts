/**
 * Logs are lines. Numbers start at 1 per job and never repeat or skip, so a reader resuming
 * from line N (SSE Last-Event-ID) gets neither gaps nor duplicates.
 * `system` lines are Slipway's own (pulling image, service started, timeout…).
 */
export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLine {
  n: number;
  /** Unix ms when the line was completed. */
  t: number;
  stream: LogStream;
  text: string;
  /**
   * Only on some `system` lines: a code (domain/system-line-codes.ts) and its params, so the UI
   * can show the line in the reader's language. `text` stays the English line.
   */
  code?: string;
  params?: Record<string, string | number>;
}
