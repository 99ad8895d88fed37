import { z } from 'zod';
import {
  branchRef,
  type ForgeAdapter,
  type HookEvent,
  header,
  isoTime,
  parsePayload,
  pushEvent,
  SHA,
} from './hook-event.js';
import { tokenHeaderMatches } from './signature.js';

/**
 * GitLab: no HMAC — the secret itself comes in `X-Gitlab-Token` (compared in constant time).
 * Event in `X-Gitlab-Event`; the delivery id is `Idempotency-Key` (kept across retries, newer
 * GitLab) or else `X-Gitlab-Event-UUID`.
 */

const Commit = z.object({
  id: z.string(),
  message: z.string(),
  timestamp: z.string().optional(),
  author: z.object({ name: z.string() }),
});

const Push = z.object({
  ref: z.string(),
  before: SHA,
  after: SHA,
  user_username: z.string(),
  commits: z.array(Commit).optional(),
});

const MergeRequest = z.object({
  user: z.object({ username: z.string() }),
  object_attributes: z.object({
    action: z.string().optional(),
    source_branch: z.string(),
    source_project_id: z.number(),
    target_project_id: z.number(),
    /** Present on `update` only when the update pushed new commits. */
    oldrev: z.string().optional(),
    last_commit: Commit,
  }),
});

export const gitlab: ForgeAdapter = {
  verify: (headers, _raw, secret) => tokenHeaderMatches(secret, header(headers, 'x-gitlab-token')),
  deliveryId: (headers) =>
    header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid') ?? null,
  classify(headers, payload): HookEvent {
    const event = header(headers, 'x-gitlab-event') ?? '';
    if (event === 'Push Hook' || event === 'Tag Push Hook') {
      const push = parsePayload(Push, payload, event);
      const head = push.commits?.find((c) => c.id === push.after);
      return pushEvent({
        ref: push.ref,
        before: push.before,
        after: push.after,
        actor: push.user_username,
        commit: head
          ? { message: head.message, author: head.author.name, time: isoTime(head.timestamp) }
          : null,
      });
    }
    if (event === 'Merge Request Hook') {
      const mr = parsePayload(MergeRequest, payload, event);
      const attrs = mr.object_attributes;
      const action = attrs.action ?? '';
      const newCode = action === 'open' || action === 'reopen' || (action === 'update' && attrs.oldrev);
      if (!newCode)
        return { kind: 'ignored', reason: `merge request ${action || 'change'} without new commits` };
      const ref = branchRef(attrs.source_branch);
      const sha = SHA.safeParse(attrs.last_commit.id);
      if (!ref || !sha.success)
        return { kind: 'ignored', reason: 'the merge request head is not a valid ref' };
      return {
        kind: 'run',
        trigger: 'pull_request',
        ref,
        sha: sha.data,
        before: null,
        actor: mr.user.username,
        fromFork: attrs.source_project_id !== attrs.target_project_id,
        commit: {
          message: attrs.last_commit.message,
          author: attrs.last_commit.author.name,
          time: isoTime(attrs.last_commit.timestamp),
        },
      };
    }
    return { kind: 'ignored', reason: event ? `event ${event} is not handled` : 'no X-Gitlab-Event header' };
  },
};
