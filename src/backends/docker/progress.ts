/**
 * Pull and import answer with a stream of JSON lines; a failure part-way arrives as an
 * `{"error": …}` line inside a 200 response, not as an HTTP error, so the stream must be read
 * to the end and checked line by line. The last status matters to import: it is the image id.
 */
export function readProgress(stream: NodeJS.ReadableStream): Promise<{ lastStatus: string }> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let failure: string | null = null;
    let lastStatus = '';
    const scan = (text: string): void => {
      for (const line of text.split('\n')) {
        const trimmed = line.trim();
        if (!trimmed || failure) continue;
        try {
          const event = JSON.parse(trimmed) as {
            status?: unknown;
            error?: unknown;
            errorDetail?: { message?: unknown };
          };
          const message = event.errorDetail?.message ?? event.error;
          if (message) failure = String(message);
          if (typeof event.status === 'string') lastStatus = event.status;
        } catch {
          // A line that is not JSON is not an error report; the engine's status decides.
        }
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
    // An aborted request closes without 'end'; after a normal 'end' this reject is a no-op.
    stream.on('close', () => reject(new Error('the engine closed the stream before it finished')));
    stream.on('end', () => {
      scan(pending);
      if (failure) reject(new Error(failure));
      else resolve({ lastStatus });
    });
  });
}
