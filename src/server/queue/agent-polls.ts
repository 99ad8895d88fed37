/**
 * The long polls (`lease` calls) this server process holds open, per agent, so revoking an
 * agent can end them at once instead of letting a poll opened before the revoke wait on and
 * claim the next execution. Polls held by another server sharing the database are not reached
 * from here; for them the claim itself refuses an agent that no longer exists (lease-picker.ts).
 */
export class AgentPolls {
  private readonly open = new Map<string, Set<AbortController>>();

  /** Registers one poll; `signal` aborts when the agent is revoked. Call `close` when it answers. */
  start(agentId: string): { signal: AbortSignal; close: () => void } {
    const controller = new AbortController();
    let set = this.open.get(agentId);
    if (!set) {
      set = new Set();
      this.open.set(agentId, set);
    }
    set.add(controller);
    return {
      signal: controller.signal,
      close: () => {
        set.delete(controller);
        if (set.size === 0 && this.open.get(agentId) === set) this.open.delete(agentId);
      },
    };
  }

  /** Ends every open poll of the agent; returns how many there were. */
  endAll(agentId: string): number {
    const set = this.open.get(agentId);
    if (!set) return 0;
    this.open.delete(agentId);
    for (const controller of set) controller.abort();
    return set.size;
  }
}
