import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { projectEventsUrl } from './client.js';
import { queryKeys } from './query-keys.js';
import { applyServerEvent, SERVER_EVENT_KINDS, type ServerEvent } from './server-events.js';

/**
 * Follows `project`'s event stream for as long as a page of the project is shown, writing every
 * event into the query cache (server-events.ts), so pages only read queries and never open
 * streams of their own. EventSource reconnects by itself after a drop; the stream has no
 * history, so whatever the project's pages cached is re-read once the stream is back. On the
 * first open, data cached before the stream was asked for (a page visited earlier) is re-read
 * too: events of the time in between were never seen.
 */
export function useServerEvents(project: string): void {
  const client = useQueryClient();
  useEffect(() => {
    const requestedAt = Date.now();
    const source = new EventSource(projectEventsUrl(project), { withCredentials: true });
    let opened = false;
    let dropped = false;
    const handle = (e: MessageEvent<string>) => {
      let event: ServerEvent;
      try {
        event = { type: e.type, ...JSON.parse(e.data) } as ServerEvent;
      } catch {
        return; // a malformed event is skipped; the next one or a reload corrects the view
      }
      applyServerEvent(client, project, event);
    };
    for (const kind of SERVER_EVENT_KINDS) source.addEventListener(kind, handle);
    source.onerror = () => {
      dropped = true;
    };
    source.onopen = () => {
      const queryKey = queryKeys.projectScope(project);
      if (dropped) {
        void client.invalidateQueries({ queryKey });
      } else if (!opened) {
        void client.invalidateQueries({
          queryKey,
          predicate: (q) => q.state.dataUpdatedAt > 0 && q.state.dataUpdatedAt < requestedAt,
        });
      }
      opened = true;
      dropped = false;
    };
    return () => source.close();
  }, [client, project]);
}
