import { z } from 'zod';
import { classifyGitHubShaped, githubShapedRepository, Push, pullRequestSchema } from './github-shape.js';
import { type ForgeAdapter, header, SHA } from './hook-event.js';
import { hmacHeaderMatches } from './signature.js';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, `X-GitHub-Event`, `X-GitHub-Delivery`.
 * The payloads are read in github-shape.ts (shared with Gitea); here is what only GitHub sends.
 */

const PullRequest = pullRequestSchema({
  head: z.object({ ref: z.string(), sha: SHA, repo: z.object({ id: z.number() }).nullable() }),
  base: z.object({ sha: SHA, repo: z.object({ id: z.number() }) }),
});

export const github: ForgeAdapter = {
  verify: (headers, raw, secret) =>
    hmacHeaderMatches(secret, raw, header(headers, 'x-hub-signature-256'), 'sha256='),
  deliveryId: (headers) => header(headers, 'x-github-delivery') ?? null,
  repository: githubShapedRepository,
  classify: classifyGitHubShaped({
    eventHeader: 'X-GitHub-Event',
    push: Push.extend({ deleted: z.boolean().optional() }),
    pullRequest: PullRequest,
    prActions: new Set(['opened', 'synchronize', 'reopened']),
    // A deleted fork has no repo: as untrusted as any fork.
    fromFork: ({ head, base }) => head.repo === null || head.repo.id !== base.repo.id,
  }),
};
