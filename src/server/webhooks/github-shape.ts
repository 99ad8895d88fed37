import { z } from 'zod';
import {
  branchRef,
  type ForgeAdapter,
  header,
  idOf,
  isoTime,
  objectField,
  parsePayload,
  pushEvent,
  SHA,
} from './hook-event.js';
import { type ForgeRepository, urlsOf } from './repository-binding.js';

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
      /** The pushed commit; for an annotated tag `after` is the tag object, this the commit. */
      id: z.string().optional(),
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
  number: number;
  pull_request: { head: { ref: string; sha: string }; base: { sha: string } };
  sender: { login: string };
}

/** A pull request event around the forge's own schemas of its head and base. */
export function pullRequestSchema<H extends z.ZodType, B extends z.ZodType>(sides: { head: H; base: B }) {
  return z.object({
    action: z.string(),
    number: z.number().int().nonnegative(),
    pull_request: z.object(sides),
    sender: Sender,
  });
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
        commitSha: push.head_commit?.id,
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
      const branch = branchRef(head.ref);
      if (!branch) return { kind: 'ignored', reason: 'the pull request branch name is not a valid ref' };
      return {
        kind: 'run',
        trigger: 'pull_request',
        // Recorded under the pull request, never as its head branch (a fork's `main` is not ours).
        ref: { kind: 'pull_request', name: branch.name, number: pr.number },
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

/** `repository` of a GitHub-shaped payload: its id and clone/web URLs (read leniently: any JSON). */
export function githubShapedRepository(payload: unknown): ForgeRepository | null {
  const repo = objectField(payload, 'repository');
  if (!repo) return null;
  return {
    id: idOf(repo.id),
    urls: urlsOf(repo.clone_url, repo.html_url, repo.ssh_url, repo.git_url, repo.svn_url),
  };
}
