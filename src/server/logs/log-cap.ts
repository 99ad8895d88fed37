import type { LogLine } from '../../domain/log-line.js';

/** What the server remembers of one job's stored log, to enforce the cap without re-reading it. */
export interface JobLogState {
  /** Highest line number stored. */
  lastN: number;
  /** UTF-8 bytes of text stored. */
  bytes: number;
  /** A truncation marker is stored: every later line is dropped. */
  truncated: boolean;
}

export const EMPTY_LOG_STATE: JobLogState = { lastN: 0, bytes: 0, truncated: false };

/** Both the agent's marker and ours start like this; seeing one means the log is closed. */
export const TRUNCATION_PREFIX = '[slipway] log truncated';

export function truncationText(maxBytes: number): string {
  return `${TRUNCATION_PREFIX} at ${formatSize(maxBytes)}`;
}

/** 64 MiB, 512 KiB, 900 bytes — as the cap was configured, without false precision. */
function formatSize(bytes: number): string {
  const round = (n: number) => Number(n.toFixed(1));
  if (bytes >= 1024 * 1024) return `${round(bytes / (1024 * 1024))} MiB`;
  if (bytes >= 1024) return `${round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/**
 * The server's own log cap (the agent caps too; this holds against a buggy or hostile one).
 * `lines` are new lines in order. Lines are kept while the job's text stays within `maxBytes`;
 * the first line past it is replaced by one system marker with its number (so numbering has no
 * gap), and everything after is dropped.
 */
export function applyLogCap(
  state: JobLogState,
  lines: readonly LogLine[],
  maxBytes: number,
): { keep: LogLine[]; state: JobLogState } {
  const keep: LogLine[] = [];
  let { lastN, bytes, truncated } = state;
  for (const line of lines) {
    if (truncated) break;
    const size = Buffer.byteLength(line.text);
    if (bytes + size > maxBytes) {
      keep.push({ n: line.n, t: line.t, stream: 'system', text: truncationText(maxBytes) });
      truncated = true;
    } else {
      keep.push(line);
      bytes += size;
    }
    lastN = Math.max(lastN, line.n);
  }
  return { keep, state: { lastN, bytes, truncated } };
}

/** Lines sorted by number, one per number (the first wins), as a retried batch may repeat some. */
export function uniqueByNumber(lines: readonly LogLine[]): LogLine[] {
  const seen = new Set<number>();
  const out: LogLine[] = [];
  for (const line of [...lines].sort((a, b) => a.n - b.n)) {
    if (seen.has(line.n)) continue;
    seen.add(line.n);
    out.push(line);
  }
  return out;
}
