import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { invalid } from '../errors.js';
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
import { type ForgeRepository, urlsOf } from './repository-binding.js';
import { timestampSignatureMatches, tokenHeaderMatches } from './signature.js';

/**
 * Gitee (gitee.com): events `X-Gitee-Event: Push Hook | Tag Push Hook | Merge Request Hook`
 * (older hooks: `X-Git-Oschina-Event`), `User-Agent: git-oschina-hook`.
 *
 * Authentication — the project's webhook secret may be pasted into Gitee either way:
 *   - as the WebHook *password*: `X-Gitee-Token` is the secret itself (like GitLab);
 *   - as the *signing key* (签名密钥): `X-Gitee-Token` is
 *     base64(HMAC-SHA256(secret, `${X-Gitee-Timestamp}\n${secret}`)). That signature does not
 *     cover the body, so the timestamp must be within GITEE_MAX_SKEW_MS of our clock.
 * A missing token or timestamp never passes (signature.ts refuses empty inputs).
 *
 * Deliveries: Gitee sends no delivery id, and a retry may carry a new timestamp and signature
 * (also repeated in the body as `timestamp`/`sign`). The delivery id is therefore the hash of the
 * payload without those per-attempt fields (and without `password`), keys sorted: a retry of the
 * same event is a duplicate, while the same event sent by another hook differs (`hook_id`).
 *
 * Payload fields read are those of Gitee's documentation ("WebHook 推送数据格式说明",
 * https://help.gitee.com/webhook/gitee-webhook-push-data-format); everything else is dropped.
 */

/** Gitee's documentation allows one hour between the timestamp and the request. */
export const GITEE_MAX_SKEW_MS = 60 * 60 * 1000;

/** Gitee's `user` object: which name fields are present varies by event and hook version. */
const User = z.object({
  login: z.string().optional(),
  username: z.string().optional(),
  user_name: z.string().optional(),
  name: z.string().optional(),
});
type GiteeUser = z.infer<typeof User>;

const actorOf = (...users: (GiteeUser | null | undefined)[]) => {
  for (const user of users) {
    const name = user?.login ?? user?.username ?? user?.user_name ?? user?.name;
    if (name) return name;
  }
  return 'gitee';
};

const Push = z.object({
  ref: z.string(),
  before: SHA,
  after: SHA,
  deleted: z.boolean().optional(),
  head_commit: z
    .object({
      /** For an annotated tag `after` is the tag object; this is the commit. */
      id: z.string().optional(),
      message: z.string(),
      timestamp: z.string().optional(),
      author: z.object({ name: z.string() }).optional(),
    })
    .nullish(),
  sender: User.nullish(),
  pusher: User.nullish(),
  user: User.nullish(),
});

const Side = z.object({
  ref: z.string(),
  sha: SHA,
  /** The repository of this side; null when a fork was deleted (as untrusted as any fork). */
  repo: z.object({ id: z.number() }).nullish(),
});

const MergeRequest = z.object({
  action: z.string(),
  /** e.g. `source_branch_changed` (new commits), `target_branch_changed`, `edit_title`. */
  action_desc: z.string().nullish(),
  number: z.number().int().nonnegative().optional(),
  iid: z.number().int().nonnegative().optional(),
  pull_request: z.object({
    number: z.number().int().nonnegative().optional(),
    head: Side,
    base: Side,
  }),
  sender: User.nullish(),
  author: User.nullish(),
});

/**
 * Whether a merge request event puts new code at its head: opened, reopened, or updated because
 * the source branch moved. Other updates (title, labels, target branch) start nothing.
 */
function bringsNewCode(action: string, desc: string | null | undefined): boolean {
  if (action === 'open' || action === 'reopen') return true;
  return action === 'update' && desc === 'source_branch_changed';
}

function classify(headers: IncomingHttpHeaders, payload: unknown): HookEvent {
  if (header(headers, 'x-gitee-ping') === 'true') return { kind: 'ignored', reason: 'ping' };
  const event = header(headers, 'x-gitee-event') ?? header(headers, 'x-git-oschina-event') ?? '';
  if (event === 'Push Hook' || event === 'Tag Push Hook') {
    const push = parsePayload(Push, payload, event);
    const head = push.head_commit;
    return pushEvent({
      ref: push.ref,
      before: push.before,
      after: push.after,
      commitSha: head?.id,
      deleted: push.deleted,
      actor: actorOf(push.sender, push.pusher, push.user),
      commit: head
        ? { message: head.message, author: head.author?.name ?? '', time: isoTime(head.timestamp) }
        : null,
    });
  }
  if (event === 'Merge Request Hook') {
    const mr = parsePayload(MergeRequest, payload, event);
    if (!bringsNewCode(mr.action, mr.action_desc)) {
      return { kind: 'ignored', reason: `merge request ${mr.action} ${mr.action_desc ?? ''}`.trim() };
    }
    const { head, base } = mr.pull_request;
    const number = mr.pull_request.number ?? mr.number ?? mr.iid;
    if (number === undefined) {
      throw invalid('body.pull_request.number', `${event} payload: body.pull_request.number: required`);
    }
    const branch = branchRef(head.ref);
    if (!branch) return { kind: 'ignored', reason: 'the merge request branch name is not a valid ref' };
    const headRepo = head.repo?.id ?? null;
    return {
      kind: 'run',
      trigger: 'pull_request',
      // Recorded under the merge request (`pr-<n>`), never as its (possibly forked) source branch.
      ref: { kind: 'pull_request', name: branch.name, number },
      sha: head.sha,
      before: base.sha,
      actor: actorOf(mr.sender, mr.author),
      // Decided by repository ids, never by names; a head without a repository is a fork.
      fromFork: headRepo === null || headRepo !== (base.repo?.id ?? null),
      commit: null,
    };
  }
  return { kind: 'ignored', reason: event ? `event ${event} is not handled` : 'no X-Gitee-Event header' };
}

/** `repository` (or `project`, its twin in Gitee payloads): its id and clone/web URLs. */
function repository(payload: unknown): ForgeRepository | null {
  const repo = objectField(payload, 'repository') ?? objectField(payload, 'project');
  if (!repo) return null;
  return {
    id: idOf(repo.id),
    urls: urlsOf(
      repo.clone_url,
      repo.git_http_url,
      repo.html_url,
      repo.ssh_url,
      repo.git_ssh_url,
      repo.git_url,
      repo.url,
    ),
  };
}

/** Fields of a Gitee body that change from one delivery attempt to the next (or are secret). */
const PER_ATTEMPT = new Set(['timestamp', 'sign', 'password']);

/**
 * Real Gitee payloads are a handful of levels deep; JSON.parse accepts far deeper bodies, which
 * would overflow the stack below (a 500). Deeper is refused as a malformed payload (400).
 */
const MAX_DEPTH = 64;

/** JSON with object keys sorted, so the same payload always hashes the same. */
function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw invalid('body', `the payload is nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !(depth === 0 && PER_ATTEMPT.has(key)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The delivery id Gitee does not send: the hash of the payload minus its per-attempt fields. */
export function giteeDeliveryId(payload: unknown): string {
  return `content-${createHash('sha256').update(canonical(payload, 0)).digest('hex')}`;
}

export const gitee: ForgeAdapter = {
  verify(headers, _raw, secret, now) {
    const token = header(headers, 'x-gitee-token');
    return (
      tokenHeaderMatches(secret, token) ||
      timestampSignatureMatches(secret, token, header(headers, 'x-gitee-timestamp'), now, GITEE_MAX_SKEW_MS)
    );
  },
  deliveryId: (_headers, payload) => giteeDeliveryId(payload),
  repository,
  classify,
};
