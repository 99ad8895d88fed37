import type { EventBus, ProjectEvent } from '../services.js';

type Listener = (event: ProjectEvent) => void;

/**
 * Run and job changes fanned out per project, in process. Publishing is synchronous and never
 * throws: a failing listener (a closed SSE socket) must not break the write that published.
 * Listeners that do slow work must hand it off; they are called in the publisher's stack.
 */
export class InMemoryEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(event: ProjectEvent): void {
    const set = this.listeners.get(event.projectId);
    if (!set) return;
    // A copy: a listener may unsubscribe (or subscribe another) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not stop the others; it cleans itself up on close.
      }
    }
  }

  subscribe(projectId: string, listener: Listener): () => void {
    let set = this.listeners.get(projectId);
    if (!set) {
      set = new Set();
      this.listeners.set(projectId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(projectId);
      if (!current) return;
      current.delete(listener);
      // Drop empty sets so a server with many short-lived streams does not grow.
      if (current.size === 0) this.listeners.delete(projectId);
    };
  }

  /** Subscribers of a project (for tests and diagnostics). */
  listenerCount(projectId: string): number {
    return this.listeners.get(projectId)?.size ?? 0;
  }
}
