import { z } from 'zod';
import { classifyGitHubShaped, githubShapedRepository, Push, pullRequestSchema } from './github-shape.js';
import { type ForgeAdapter, header, SHA } from './hook-event.js';
import { hmacHeaderMatches } from './signature.js';

/**
 * Gitea (and Forgejo): `X-Gitea-Signature: <hex>`, `X-Gitea-Event`, `X-Gitea-Delivery`.
 * Payloads follow GitHub's shape (read in github-shape.ts); pull request heads also carry `repo_id`.
 */

const Side = z.object({
  ref: z.string(),
  sha: SHA,
  repo_id: z.number().optional(),
  repo: z.object({ id: z.number() }).nullish(),
});

const repoId = (side: z.infer<typeof Side>) => side.repo?.id ?? side.repo_id ?? null;

export const gitea: ForgeAdapter = {
  verify: (headers, raw, secret) => hmacHeaderMatches(secret, raw, header(headers, 'x-gitea-signature')),
  deliveryId: (headers) => header(headers, 'x-gitea-delivery') ?? null,
  // Tag and branch creation also arrive as `push`; `create` would start a second run.
  repository: githubShapedRepository,
  classify: classifyGitHubShaped({
    eventHeader: 'X-Gitea-Event',
    // `deleted` is not read for Gitea: a deletion is told by the all-zero `after`.
    push: Push,
    pullRequest: pullRequestSchema({ head: Side, base: Side }),
    /** Gitea says `synchronized` where GitHub says `synchronize`. */
    prActions: new Set(['opened', 'synchronized', 'synchronize', 'reopened']),
    fromFork: ({ head, base }) => {
      const headRepo = repoId(head);
      return headRepo === null || headRepo !== repoId(base);
    },
  }),
};
