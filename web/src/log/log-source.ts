import { apiFetch } from '../api/http.js';

/** One log line as the server sends it (src/domain/log-line.ts). */
export interface LogLine {
  n: number;
  t: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  /** Some system lines: a code and params the viewer translates (src/domain/system-line-codes.ts). */
  code?: string;
  params?: Record<string, string | number>;
}

export type SourceState = 'loading' | 'live' | 'reconnecting' | 'ended' | 'error';

export interface LogSourceHandlers {
  /** New lines, in order, each numbered after everything delivered before. */
  onLines: (lines: LogLine[]) => void;
  onState: (state: SourceState, error?: string) => void;
}

/** Lines per JSON page when reading a finished job's log (the route's maximum). */
const PAGE_LINES = 10_000;
/** Reconnect delays after a dropped stream: short first, then capped so a dead server is not hammered. */
const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

export function logUrl(project: string, run: number, job: string): string {
  return `/api/projects/${encodeURIComponent(project)}/runs/${run}/jobs/${encodeURIComponent(job)}/logs`;
}

/**
 * Where a LogView's lines come from. A live job is followed over SSE; when the connection drops
 * it is reopened (with growing delays) with `?after=<last line number>`, so lines are neither
 * lost nor repeated. A finished job is read in JSON pages. `after` is the last line the view
 * already has. Returns a stop function.
 */
export function openLogSource(
  url: string,
  opts: { live: boolean; after: number },
  handlers: LogSourceHandlers,
): () => void {
  let last = opts.after;
  let stopped = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const deliver = (lines: LogLine[]) => {
    // A resumed stream starts after `last`; anything older (a repeated batch) is dropped.
    const fresh = lines.filter((l) => l.n > last);
    if (fresh.length === 0) return;
    last = (fresh.at(-1) as LogLine).n;
    handlers.onLines(fresh);
  };

  const connect = () => {
    if (stopped) return;
    const es = new EventSource(`${url}/stream?after=${last}`);
    source = es;
    es.onopen = () => {
      failures = 0;
      handlers.onState('live');
    };
    es.addEventListener('lines', (e) => {
      try {
        deliver(JSON.parse((e as MessageEvent<string>).data) as LogLine[]);
      } catch {
        // A malformed batch is skipped; the next reconnect resumes after the last good line.
      }
    });
    es.addEventListener('end', () => {
      es.close();
      source = null;
      handlers.onState('ended');
    });
    es.onerror = () => {
      // EventSource would retry by itself only for some failures; retrying here covers all.
      es.close();
      source = null;
      if (stopped) return;
      handlers.onState('reconnecting');
      const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] as number;
      failures++;
      timer = setTimeout(connect, delay);
    };
  };

  const readPages = async () => {
    try {
      for (;;) {
        const page = await apiFetch<{ lines: LogLine[]; next: number | null }>(
          `${url}?after=${last}&limit=${PAGE_LINES}`,
        );
        if (stopped) return;
        deliver(page.lines);
        if (page.next === null) break;
      }
      handlers.onState('ended');
    } catch (error) {
      if (!stopped) handlers.onState('error', error instanceof Error ? error.message : String(error));
    }
  };

  handlers.onState('loading');
  if (opts.live) connect();
  else void readPages();

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
