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
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, `X-GitHub-Event`, `X-GitHub-Delivery`.
 * Only the fields used are declared; zod drops the rest of these (large) payloads.
 */

const Sender = z.object({ login: z.string(), id: z.number() });

const Push = z.object({
  ref: z.string(),
  before: SHA,
  after: SHA,
  deleted: z.boolean().optional(),
  head_commit: z
    .object({
      message: z.string(),
      timestamp: z.string().optional(),
      author: z.object({ name: z.string() }),
    })
    .nullish(),
  sender: Sender,
});

const PullRequest = z.object({
  action: z.string(),
  pull_request: z.object({
    head: z.object({ ref: z.string(), sha: SHA, repo: z.object({ id: z.number() }).nullable() }),
    base: z.object({ sha: SHA, repo: z.object({ id: z.number() }) }),
  }),
  sender: Sender,
});

/** Actions that put new code at the head of a pull request. */
const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

export const github: ForgeAdapter = {
  verify: (headers, raw, secret) =>
    hmacHeaderMatches(secret, raw, header(headers, 'x-hub-signature-256'), 'sha256='),
  deliveryId: (headers) => header(headers, 'x-github-delivery') ?? null,
  classify(headers, payload): HookEvent {
    const event = header(headers, 'x-github-event') ?? '';
    if (event === 'push') {
      const push = parsePayload(Push, payload, 'push');
      return pushEvent({
        ref: push.ref,
        before: push.before,
        after: push.after,
        deleted: push.deleted,
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
      return {
        kind: 'run',
        trigger: 'pull_request',
        ref,
        sha: head.sha,
        before: base.sha,
        actor: pr.sender.login,
        // A deleted fork has no repo: as untrusted as any fork.
        fromFork: head.repo === null || head.repo.id !== base.repo.id,
        commit: null,
      };
    }
    return { kind: 'ignored', reason: event ? `event ${event} is not handled` : 'no X-GitHub-Event header' };
  },
};
