import { useEffect, useRef } from 'react';
import { projectEventsUrl } from './client.js';
import type { ProjectEvent } from './types.js';

/**
 * Follows a project's run/job changes (SSE). The stream has no history, so after a reconnect
 * `onReconnect` lets the page re-read what it shows; EventSource itself retries a dropped
 * connection. Handlers are kept in a ref so re-renders do not reopen the stream.
 */
export function useProjectEvents(
  project: string,
  onEvent: (event: ProjectEvent) => void,
  onReconnect?: () => void,
): void {
  const handlers = useRef({ onEvent, onReconnect });
  handlers.current = { onEvent, onReconnect };
  useEffect(() => {
    const source = new EventSource(projectEventsUrl(project), { withCredentials: true });
    let dropped = false;
    const handle = (e: MessageEvent<string>) => {
      try {
        handlers.current.onEvent(JSON.parse(e.data) as ProjectEvent);
      } catch {
        // a malformed event is skipped; the next one or a reload corrects the view
      }
    };
    source.addEventListener('run', handle);
    source.addEventListener('job', handle);
    source.onerror = () => {
      dropped = true;
    };
    source.onopen = () => {
      if (dropped) handlers.current.onReconnect?.();
      dropped = false;
    };
    return () => source.close();
  }, [project]);
}
