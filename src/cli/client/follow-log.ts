import { createParser } from 'eventsource-parser';
import type { LogLine } from '../../domain/log-line.js';
import type { ApiClient } from './api-client.js';

/**
 * Follows one job's log over SSE until the server says `end`, reconnecting with Last-Event-ID
 * when the connection drops, so no line is missed or printed twice.
 */
export async function followJobLog(
  client: ApiClient,
  path: string,
  onLines: (lines: LogLine[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  let lastId = '';
  for (let attempt = 0; attempt < 50 && !signal?.aborted; attempt++) {
    let ended = false;
    try {
      const res = await client.stream(path, lastId, signal);
      const parser = createParser({
        onEvent: (event) => {
          if (event.event === 'end') {
            ended = true;
            return;
          }
          if (event.event === 'lines') {
            onLines(JSON.parse(event.data) as LogLine[]);
            if (event.id) lastId = event.id;
          }
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (ended) break;
      }
    } catch (error) {
      if (signal?.aborted) return;
      if ((error as Error).name === 'UsageError') throw error;
    }
    if (ended) return;
    await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
  }
}
