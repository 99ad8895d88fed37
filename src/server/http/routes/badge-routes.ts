import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { BRANCH } from '../../projects/project-fields.js';
import { defineRoute } from '../define-route.js';
import { registerCoverageBadge } from './coverage-badge-route.js';

/**
 * Status badges for READMEs: `GET /badge/<project>.svg[?branch=<name>]`. A README image cannot
 * sign in, so a project's maintainer opts in (`publicBadge`) to an anonymous badge; it says only
 * what its URL already names plus one status word — no record, commit, author or message.
 * Without the opt-in only a signed-in user (session cookie or API token) sees it, and anyone
 * else gets exactly the 404 of an unknown project, so badge URLs cannot probe project names
 * (security rule 9).
 */
const params = z.object({
  file: z
    .string()
    .max(110)
    .regex(/^.+\.svg$/, 'must be "<project>.svg"'),
});
const query = z.object({ branch: BRANCH.optional() });

/** Badge colours per status; anything unknown is grey. */
const COLOURS: Record<string, string> = {
  succeeded: '#2e8540',
  failed: '#cb2431',
  running: '#1f6feb',
  queued: '#6f42c1',
  pending: '#6f42c1',
  manual: '#8250df',
  canceled: '#6a737d',
  skipped: '#6a737d',
};
const NO_RUNS = 'no runs';

export function registerBadgeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerCoverageBadge(app, ctx);
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/badge/:file',
    summary:
      'An SVG status badge of the latest run on a branch (default branch when omitted); no sign-in needed when the project has publicBadge on, shows only the status',
    tags: ['badges'],
    params,
    query,
    auth: false,
    handler: async ({ params, query }, req, reply) => {
      const name = params.file.slice(0, -'.svg'.length);
      if (!name) throw invalid('params.file', 'must be "<project>.svg"');
      const project = await findProject(ctx.db, name);
      // Same error as findProject's for an unknown name: a private project must be indistinguishable.
      if (project.public_badge !== 1 && !req.principal) throw notFound(`project "${name}"`);
      const branch = query.branch ?? project.default_branch;
      const latest = await ctx.db
        .selectFrom('runs')
        .select('status')
        .where('project_id', '=', project.id)
        .where('ref_kind', '=', 'branch')
        .where('ref_name', '=', branch)
        .orderBy('number', 'desc')
        .limit(1)
        .executeTakeFirst();
      const status = latest?.status ?? NO_RUNS;
      reply
        .header('content-type', 'image/svg+xml; charset=utf-8')
        // Forge image proxies (GitHub's camo) revalidate every time: the badge follows the build.
        .header('cache-control', 'no-cache, max-age=0')
        // An SVG opened directly is a document: it may not load or run anything.
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return badgeSvg('slipway', status, COLOURS[status] ?? '#9f9f9f');
    },
  });
}

/** Approximate width of Verdana 11px text (what badges are drawn in), in px. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text)
    width += /[il.,:;|!' ]/.test(ch) ? 4 : /[mwMW]/.test(ch) ? 10 : /[A-Z]/.test(ch) ? 8 : 7;
  return width;
}

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A flat two-part badge, the shape READMEs are used to. */
export function badgeSvg(label: string, message: string, colour: string): string {
  const lw = textWidth(label) + 12;
  const mw = textWidth(message) + 12;
  const w = lw + mw;
  const l = escapeXml(label);
  const m = escapeXml(message);
  const fill = /^#[0-9a-f]{6}$/i.test(colour) ? colour : '#9f9f9f';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}">
<title>${l}: ${m}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${fill}"/><rect width="${w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text>
<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${m}</text><text x="${lw + mw / 2}" y="14">${m}</text>
</g>
</svg>
`;
}
