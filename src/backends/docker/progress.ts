/**
 * Pull, push and import answer with a stream of JSON lines; a failure part-way arrives as an
 * `{"error": …}` line inside a 200 response, not as an HTTP error, so the stream must be read
 * to the end and checked line by line. The last status matters to import: it is the image id.
 */

/** One line of the engine's progress stream (the fields Slipway reads). */
export interface EngineEvent {
  status?: unknown;
  id?: unknown;
  error?: unknown;
  errorDetail?: { message?: unknown };
  aux?: { Digest?: unknown; Size?: unknown };
}

/**
 * Reads a JSON-lines stream to its end, handing each event to `onEvent` in order. Lines that
 * are not JSON are skipped: they are not error reports. Rejects with `closedEarly` when the
 * stream closes without ending (an aborted request).
 */
export function readEngineEvents(
  stream: NodeJS.ReadableStream,
  onEvent: (event: EngineEvent) => void,
  closedEarly = 'the engine closed the stream before it finished',
): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const scan = (text: string): void => {
      for (const line of text.split('\n')) {
        const trimmed = line.trim();
        if (!trimmed) continue;
        let event: EngineEvent;
        try {
          event = JSON.parse(trimmed) as EngineEvent;
        } catch {
          continue;
        }
        onEvent(event);
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      scan(pending.slice(0, cut));
      pending = pending.slice(cut + 1);
    });
    stream.on('error', reject);
    // After a normal 'end' this reject is a no-op.
    stream.on('close', () => reject(new Error(closedEarly)));
    stream.on('end', () => {
      scan(pending);
      resolve();
    });
  });
}

/** Reads a pull or import stream; rejects with the first error line, else gives the last status. */
export async function readProgress(stream: NodeJS.ReadableStream): Promise<{ lastStatus: string }> {
  let failure: string | null = null;
  let lastStatus = '';
  await readEngineEvents(stream, (event) => {
    if (failure) return;
    const message = event.errorDetail?.message ?? event.error;
    if (message) failure = String(message);
    if (typeof event.status === 'string') lastStatus = event.status;
  });
  if (failure) throw new Error(failure);
  return { lastStatus };
}
