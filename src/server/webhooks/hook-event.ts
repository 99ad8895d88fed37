import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { isValidRefName, isValidShortRefName, parseRef, type Ref } from '../../domain/ref.js';
import { invalid } from '../errors.js';
import type { ForgeRepository } from './repository-binding.js';

/**
 * What a forge's webhook means to Slipway, independent of the forge: a run to start, or a
 * reason to do nothing. Each forge (github.ts, gitea.ts, gitlab.ts, gitee.ts) maps its own headers and
 * payloads onto this; everything after (delivery record, fetch, run) is shared.
 */

export type HookTrigger = 'push' | 'tag' | 'pull_request';

export interface HookRun {
  kind: 'run';
  trigger: HookTrigger;
  ref: Ref;
  sha: string;
  /** What the ref pointed at before (push), or the PR's base commit; for `changedFiles`. */
  before: string | null;
  /** The forge user who caused it (login). */
  actor: string;
  /** A pull request from a fork: decided by the forge's repository ids, never by names. */
  fromFork: boolean;
  /** The forge's view of the head commit, used when git cannot tell (fetch failed). */
  commit: { message: string; author: string; time?: number } | null;
  /**
   * Set for a ref update of a push to the built-in git server, recorded before git ran (so an
   * acknowledged push always has its runs): the run is created only if `ref` then holds `sha`
   * (git may have refused the update).
   */
  pushed?: boolean;
}

export type HookEvent = HookRun | { kind: 'ignored'; reason: string };

export interface ForgeAdapter {
  /**
   * The signature / token headers match `secret` for these raw bytes; `now` (Unix ms) for forges
   * whose signature covers a timestamp instead of the body (Gitee).
   */
  verify(headers: IncomingHttpHeaders, raw: Buffer, secret: string, now: number): boolean;
  /**
   * The id of this delivery, stable across its retries: the forge's, when it sends one, or one
   * derived from the (verified, parsed) payload; null falls back to the raw body's hash.
   */
  deliveryId(headers: IncomingHttpHeaders, payload: unknown): string | null;
  /** Throws an `invalid` AppError (400) when a handled event lacks what we need. */
  classify(headers: IncomingHttpHeaders, payload: unknown): HookEvent;
  /** The repository the payload is about (see repository-binding.ts); null when it names none. */
  repository(payload: unknown): ForgeRepository | null;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** zod-parses a payload; a mismatch is a 400 naming the field. */
export function parsePayload<T extends z.ZodType>(schema: T, payload: unknown, event: string): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = ['body', ...(issue?.path ?? []).map(String)].join('.');
  throw invalid(where, `${event} payload: ${where}: ${issue?.message ?? 'invalid'}`);
}

const ZERO = /^0+$/;

/** A full commit id (sha1 or sha256), as every forge sends them. */
export const SHA = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'expected a full commit sha');

/** A branch name as a pull request names it; ignored (not an error) when git would refuse it. */
export function branchRef(name: string): Ref | null {
  return isValidShortRefName(name) ? { kind: 'branch', name } : null;
}

/**
 * A push of `ref` to `after`: a run on a branch or tag, or ignored for deletions (the all-zero
 * sha) and refs that are neither.
 */
export function pushEvent(input: {
  ref: string;
  before: string;
  after: string;
  /** The commit the forge says `after` is (differs for annotated tags: `after` is the tag object). */
  commitSha?: string | null | undefined;
  deleted?: boolean | undefined;
  actor: string;
  commit: HookRun['commit'];
}): HookEvent {
  if (input.deleted || ZERO.test(input.after)) return { kind: 'ignored', reason: 'deletion' };
  const known = input.ref.startsWith('refs/heads/') || input.ref.startsWith('refs/tags/');
  if (!known || !isValidRefName(input.ref)) {
    return { kind: 'ignored', reason: `push to ${input.ref} (not a branch or tag)` };
  }
  const ref = parseRef(input.ref);
  return {
    kind: 'run',
    trigger: ref.kind === 'tag' ? 'tag' : 'push',
    ref,
    // An annotated tag's `after` is the tag object; the run builds the commit it points at.
    // (startHookRun peels in the mirror too, for forges that send no commit id.)
    sha: input.commitSha && SHA.safeParse(input.commitSha).success ? input.commitSha : input.after,
    before: ZERO.test(input.before) ? null : input.before,
    actor: input.actor,
    fromFork: false,
    commit: input.commit,
  };
}

/** ISO time from a payload → Unix ms, when it parses. */
export function isoTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `payload[name]` when both are plain JSON objects (hostile payloads may be anything). */
export function objectField(payload: unknown, name: string): Record<string, unknown> | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const value = (payload as Record<string, unknown>)[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** A forge's numeric (or string) id as text; null when absent or not an id. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^[\w.:-]{1,200}$/.test(value)) return value;
  return null;
}
