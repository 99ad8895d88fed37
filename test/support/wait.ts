/**
 * The one bounded poll for tests that wait on something asynchronous (a run ending, an agent
 * reporting, traffic being counted). Every wait has a deadline, so a stuck test fails instead of
 * hanging the suite, and the failure names what was awaited (plus any `detail` the test adds),
 * so a timeout in CI says which wait gave up rather than just "timed out".
 */

/** What a successful poll gives back: the checked value, never a falsy one. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export interface UntilOptions {
  /** How long to keep polling (default 30 s). */
  timeoutMs?: number;
  /** Pause between two checks (default 20 ms). */
  intervalMs?: number;
  /** Extra context for the timeout error (e.g. an agent's log), read only when the wait fails. */
  detail?: () => string;
}

/**
 * Polls `check` until it gives a truthy value and returns that value; throws
 * `timed out after N ms waiting for <what>` once `timeoutMs` has passed.
 */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 20, detail }: UntilOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) {
      const more = detail ? `\n${detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${more}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
