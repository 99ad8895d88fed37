import { formatDuration } from '../domain/duration.js';
import { statusIcon } from '../domain/status.js';
import { displayWidth } from '../pipeline/config/display-width.js';
import type { JobResult, RunEvent, RunResult } from '../runtime/run-result.js';

const COLORS = [36, 35, 33, 34, 32, 91, 96, 95];

/**
 * Live output of `slipway exec`: every log line prefixed with its job's name in a colour of
 * its own (like docker compose), job transitions on their own lines, and the summary at the end.
 */
export class ExecPrinter {
  private readonly colorOf = new Map<string, number>();
  private width = 0;

  constructor(
    private readonly out: (text: string) => void,
    private readonly color: boolean,
    jobNames: string[],
  ) {
    jobNames.forEach((name, i) => {
      this.colorOf.set(name, COLORS[i % COLORS.length] as number);
      this.width = Math.max(this.width, displayWidth(name));
    });
  }

  onEvent(event: RunEvent): void {
    if (event.type === 'log') {
      const text = event.line.stream === 'system' ? this.paint(2, event.line.text) : event.line.text;
      this.out(`${this.prefix(event.job)} ${text}\n`);
      return;
    }
    const line = describeTransition(event.job);
    if (line) this.out(`${this.prefix(event.job.name)} ${this.paint(1, line)}\n`);
  }

  summary(result: RunResult): string {
    const stages = result.stages.map((s) => {
      const took =
        s.startedAt !== null && s.finishedAt !== null ? ` ${formatDuration(s.finishedAt - s.startedAt)}` : '';
      return `${statusIcon(s.status)} ${s.name}${took}`;
    });
    const word = this.paint(
      result.status === 'succeeded' ? 32 : result.status === 'failed' ? 31 : 33,
      result.status,
    );
    return `${result.record}  ${stages.join(' · ')}  — ${word}, took ${formatDuration(result.finishedAt - result.startedAt)}\n`;
  }

  private prefix(job: string): string {
    return this.paint(
      this.colorOf.get(job) ?? 37,
      `${job}${' '.repeat(Math.max(0, this.width - displayWidth(job)))} │`,
    );
  }

  private paint(code: number, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}

function describeTransition(job: JobResult): string | null {
  switch (job.status) {
    case 'running':
      return `▶ ${job.stage}/${job.name} started`;
    case 'succeeded':
      return `✅ succeeded in ${took(job)}`;
    case 'failed':
      return `❌ failed in ${took(job)}${job.failure ? `: ${job.failure.message}` : ''}${job.allowFailure ? ' (allowed to fail)' : ''}`;
    case 'canceled':
      return `⛔ canceled after ${took(job)}`;
    case 'skipped':
      return job.skip ? `⏭ skipped: ${job.skip.message}` : '⏭ skipped';
    case 'manual':
      return '⏸ manual: waiting for a click (run it with --job or --manual)';
    case 'pending':
    case 'queued':
      return null;
  }
}

function took(job: JobResult): string {
  return job.startedAt !== null && job.finishedAt !== null
    ? formatDuration(job.finishedAt - job.startedAt)
    : '0 ms';
}
