import type { EventBus, ProjectEvent } from '../services.js';

/** STUB */
export class InMemoryEventBus implements EventBus {
  publish(_event: ProjectEvent): void {}
  subscribe(_projectId: string, _listener: (event: ProjectEvent) => void): () => void {
    return () => {};
  }
}
