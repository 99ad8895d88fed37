import { z } from 'zod';
import { branchRef, type ForgeAdapter, header, isoTime, parsePayload, pushEvent, SHA } from './hook-event.js';

/**
 * The `push` and `pull_request` payloads of GitHub, which Gitea (and Forgejo) copy: read the
 * same way for both. What differs per forge is passed in (github.ts, gitea.ts): the event
 * header, the fields only one of them sends, which pull request actions bring new code, and how
 * a fork is told apart (the repository ids sit in different places).
 * Only the fields used are declared; zod drops the rest of these (large) payloads.
 */

const Sender = z.object({ login: z.string(), id: z.number() });

export const Push = z.object({
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
  sender: Sender,
});

/** A push as the shared mapping reads it; `deleted` counts only where the forge's schema keeps it. */
type PushPayload = z.infer<typeof Push> & { deleted?: boolean | undefined };

interface PullRequestPayload {
  action: string;
  pull_request: { head: { ref: string; sha: string }; base: { sha: string } };
  sender: { login: string };
}

/** A pull request event around the forge's own schemas of its head and base. */
export function pullRequestSchema<H extends z.ZodType, B extends z.ZodType>(sides: { head: H; base: B }) {
  return z.object({ action: z.string(), pull_request: z.object(sides), sender: Sender });
}

export interface GitHubShapedForge<
  P extends z.ZodType<PushPayload>,
  R extends z.ZodType<PullRequestPayload>,
> {
  /** The header naming the event, as the forge spells it (`X-GitHub-Event`). */
  eventHeader: string;
  push: P;
  pullRequest: R;
  /** Actions that put new code at the head of a pull request. */
  prActions: ReadonlySet<string>;
  /** A pull request from a fork: decided by the repository ids, never by names. */
  fromFork(sides: z.infer<R>['pull_request']): boolean;
}

/** `classify` of a forge whose payloads follow GitHub's shape. */
export function classifyGitHubShaped<
  P extends z.ZodType<PushPayload>,
  R extends z.ZodType<PullRequestPayload>,
>(forge: GitHubShapedForge<P, R>): ForgeAdapter['classify'] {
  return (headers, payload) => {
    const event = header(headers, forge.eventHeader.toLowerCase()) ?? '';
    if (event === 'push') {
      const push: PushPayload = parsePayload(forge.push, payload, 'push');
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
      const pr = parsePayload(forge.pullRequest, payload, 'pull_request');
      if (!forge.prActions.has(pr.action)) return { kind: 'ignored', reason: `pull_request ${pr.action}` };
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
        fromFork: forge.fromFork(pr.pull_request),
        commit: null,
      };
    }
    return {
      kind: 'ignored',
      reason: event ? `event ${event} is not handled` : `no ${forge.eventHeader} header`,
    };
  };
}
