import { z } from 'zod';
import {
  branchRef,
  type ForgeAdapter,
  type HookEvent,
  header,
  idOf,
  isoTime,
  objectField,
  parsePayload,
  pushEvent,
  SHA,
} from './hook-event.js';
import { urlsOf } from './repository-binding.js';
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
  /** The commit a tag points at (`after` of an annotated tag is the tag object); null on deletion. */
  checkout_sha: z.string().nullish(),
  commits: z.array(Commit).optional(),
});

const MergeRequest = z.object({
  user: z.object({ username: z.string() }),
  object_attributes: z.object({
    action: z.string().optional(),
    /** The merge request's number within its project (`!12`). */
    iid: z.number().int().nonnegative(),
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
  /** `project` (the project the hook belongs to; for merge requests the target), else `project_id`. */
  repository(payload) {
    const project = objectField(payload, 'project');
    const topId =
      typeof payload === 'object' && payload !== null
        ? (payload as { project_id?: unknown }).project_id
        : undefined;
    if (!project) return topId === undefined ? null : { id: idOf(topId), urls: [] };
    return {
      id: idOf(project.id) ?? idOf(topId),
      urls: urlsOf(
        project.git_http_url,
        project.git_ssh_url,
        project.web_url,
        project.http_url,
        project.ssh_url,
      ),
    };
  },
  classify(headers, payload): HookEvent {
    const event = header(headers, 'x-gitlab-event') ?? '';
    if (event === 'Push Hook' || event === 'Tag Push Hook') {
      const push = parsePayload(Push, payload, event);
      const commitSha = push.checkout_sha ?? push.after;
      const head = push.commits?.find((c) => c.id === commitSha);
      return pushEvent({
        ref: push.ref,
        before: push.before,
        after: push.after,
        commitSha,
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
      const branch = branchRef(attrs.source_branch);
      const sha = SHA.safeParse(attrs.last_commit.id);
      if (!branch || !sha.success)
        return { kind: 'ignored', reason: 'the merge request head is not a valid ref' };
      return {
        kind: 'run',
        trigger: 'pull_request',
        // Recorded under the merge request, never as its source branch.
        ref: { kind: 'pull_request', name: branch.name, number: attrs.iid },
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
