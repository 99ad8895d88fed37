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
import { hmacHeaderMatches } from './signature.js';

/**
 * Gitea (and Forgejo): `X-Gitea-Signature: <hex>`, `X-Gitea-Event`, `X-Gitea-Delivery`.
 * Payloads follow GitHub's shape; pull request heads also carry `repo_id`.
 */

const User = z.object({ login: z.string(), id: z.number() });

const Push = z.object({
  ref: z.string(),
  before: SHA,
  after: SHA,
  head_commit: z
    .object({
      message: z.string(),
      timestamp: z.string().optional(),
      author: z.object({ name: z.string() }),
    })
    .nullish(),
  sender: User,
});

const Side = z.object({
  ref: z.string(),
  sha: SHA,
  repo_id: z.number().optional(),
  repo: z.object({ id: z.number() }).nullish(),
});

const PullRequest = z.object({
  action: z.string(),
  pull_request: z.object({ head: Side, base: Side }),
  sender: User,
});

/** Gitea says `synchronized` where GitHub says `synchronize`. */
const PR_ACTIONS = new Set(['opened', 'synchronized', 'synchronize', 'reopened']);

const repoId = (side: z.infer<typeof Side>) => side.repo?.id ?? side.repo_id ?? null;

export const gitea: ForgeAdapter = {
  verify: (headers, raw, secret) => hmacHeaderMatches(secret, raw, header(headers, 'x-gitea-signature')),
  deliveryId: (headers) => header(headers, 'x-gitea-delivery') ?? null,
  classify(headers, payload): HookEvent {
    const event = header(headers, 'x-gitea-event') ?? '';
    if (event === 'push') {
      const push = parsePayload(Push, payload, 'push');
      return pushEvent({
        ref: push.ref,
        before: push.before,
        after: push.after,
        actor: push.sender.login,
        commit: push.head_commit
          ? {
              message: push.head_commit.message,
              author: push.head_commit.author.name,
              time: isoTime(push.head_commit.timestamp),
            }
          : null,
      });
    }
    if (event === 'pull_request') {
      const pr = parsePayload(PullRequest, payload, 'pull_request');
      if (!PR_ACTIONS.has(pr.action)) return { kind: 'ignored', reason: `pull_request ${pr.action}` };
      const { head, base } = pr.pull_request;
      const ref = branchRef(head.ref);
      if (!ref) return { kind: 'ignored', reason: 'the pull request branch name is not a valid ref' };
      const headRepo = repoId(head);
      return {
        kind: 'run',
        trigger: 'pull_request',
        ref,
        sha: head.sha,
        before: base.sha,
        actor: pr.sender.login,
        fromFork: headRepo === null || headRepo !== repoId(base),
        commit: null,
      };
    }
    // Tag and branch creation also arrive as `push`; `create` would start a second run.
    return { kind: 'ignored', reason: event ? `event ${event} is not handled` : 'no X-Gitea-Event header' };
  },
};
