/**
 * One git writer per repository at a time. Two fetches into one mirror (or two `init`s, or a
 * commit racing a commit) fight over git's lock files and one fails; queueing them per
 * repository avoids that without blocking other repositories. Owned by one service instance.
 */
export class SerialByKey {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Tasks queued but not started yet, for `coalesced`. */
  private readonly waiting = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Like `run`, but a caller arriving while an identical task is still queued joins it instead
   * of queueing another: ten webhooks in a burst cause two fetches, not ten. Every caller still
   * gets a task that *starts* after its call, so it sees what was pushed before it.
   */
  coalesced(key: string, task: () => Promise<void>): Promise<void> {
    const queued = this.waiting.get(key) as Promise<void> | undefined;
    if (queued) return queued;
    const result = this.run(key, () => {
      this.waiting.delete(key);
      return task();
    });
    this.waiting.set(key, result);
    return result;
  }
}
