import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkProjectAccess } from '../../access/project-guard.js';
import type { ServerContext } from '../../context.js';
import { AppError, forbidden, invalid, notFound, unauthorized } from '../../errors.js';
import { admitPush } from '../../git/admit-push.js';
import { authenticateBasic } from '../../git/basic-auth.js';
import { runHttpBackend } from '../../git/http-backend.js';
import { PushLimitNotice } from '../../git/push-limit-notice.js';
import { type PendingPush, startPushRuns } from '../../git/push-runs.js';
import { repoExists } from '../../git/repo-init.js';
import { repoDirName, repoPath, rootFor } from '../../git/repo-paths.js';
import { gitRequestBody, supportedEncoding } from '../../git/request-body.js';
import type { ProjectRow } from '../../store/tables.js';

/**
 * Git smart HTTP at `/git/<project>.git/…`, served by `git http-backend`. Only the three smart
 * endpoints exist (no dumb-protocol file access). Clients authenticate with HTTP Basic —
 * Slipway user name + API token — and need to read the project to fetch, the developer role
 * in it to push (public projects: fetch without credentials). A push's ref
 * updates are checked and recorded before git sees them (admit-push.ts); after its response has
 * gone out, each branch or tag it created or moved starts a run.
 * Remote projects serve their mirror read-only: their branches come from the forge.
 */

type Endpoint = 'info/refs' | 'git-upload-pack' | 'git-receive-pack';

/** Fetch negotiations are small. */
const MAX_FETCH_BODY = 64 * 1024 * 1024;
/**
 * A push's pack is limited by git itself (`receive.maxInputSize`, set per request from
 * SLIPWAY_GIT_MAX_PUSH_BYTES), which tells the client the limit; the HTTP body cap sits above it
 * (room for the command list) and only stops a client that keeps sending after git refused.
 */
const PUSH_BODY_SLACK = 16 * 1024 * 1024;
const TIMEOUT_MS: Record<Endpoint, number> = {
  'info/refs': 60_000,
  'git-upload-pack': 30 * 60_000,
  'git-receive-pack': 30 * 60_000,
};

export function registerGitRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // An encapsulated scope: the raw-stream body parser applies to these routes only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(/^application\/x-git-[a-z-]+-request$/, (_req, payload, done) =>
      done(null, payload),
    );
    scope.get('/git/:repo/info/refs', (req, reply) => serve(ctx, req, reply, 'info/refs'));
    scope.post('/git/:repo/git-upload-pack', (req, reply) => serve(ctx, req, reply, 'git-upload-pack'));
    scope.post('/git/:repo/git-receive-pack', (req, reply) => serve(ctx, req, reply, 'git-receive-pack'));
  });
}

async function serve(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, endpoint: Endpoint) {
  const query = req.query as Record<string, unknown>;
  const service = endpoint === 'info/refs' ? query.service : endpoint;
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    throw invalid('query.service', 'only the smart HTTP protocol is served (git ≥ 1.6.6)');
  }
  const push = service === 'git-receive-pack';

  const project = await authorizeGit(ctx, req, reply, (req.params as { repo: string }).repo, push);
  const remoteUser = req.principal?.username ?? 'anonymous';
  if (project.source_kind === 'builtin') {
    await ctx.sources.ensureRepository(project);
  } else if (push) {
    throw forbidden(`project ${project.name} mirrors ${project.forge ?? 'a remote'}; push there`);
  }
  const gitDir = repoPath(ctx.config.dataDir, project);
  if (!repoExists(gitDir)) throw notFound(`repository of project ${project.name}`);

  let body: Readable | null = null;
  let pending: PendingPush[] = [];
  if (endpoint !== 'info/refs') {
    const encoding = req.headers['content-encoding'];
    if (!supportedEncoding(encoding)) {
      throw new AppError('invalid', `unsupported Content-Encoding ${encoding}`);
    }
    const maxBody = push ? ctx.config.gitMaxPushBytes + PUSH_BODY_SLACK : MAX_FETCH_BODY;
    body = gitRequestBody(req.body as Readable, encoding, maxBody);
    if (push) {
      const intake = await admitPush(ctx, project, body, remoteUser);
      if ('refusal' in intake) {
        return reply
          .code(200)
          .header('content-type', 'application/x-git-receive-pack-result')
          .header('cache-control', 'no-cache')
          .send(intake.refusal);
      }
      body = intake.body;
      pending = intake.pending;
    }
  }

  const gitProtocol = req.headers['git-protocol'];
  const cgi = await runHttpBackend({
    projectRoot: rootFor(ctx.config.dataDir, project),
    pathInfo: `/${repoDirName(project.id)}/${endpoint}`,
    method: endpoint === 'info/refs' ? 'GET' : 'POST',
    queryString: endpoint === 'info/refs' ? `service=${service}` : '',
    contentType: req.headers['content-type'] ?? '',
    remoteUser,
    remoteAddr: req.ip,
    gitProtocol:
      typeof gitProtocol === 'string' && /^[\w=:.,-]{1,256}$/.test(gitProtocol) ? gitProtocol : null,
    // Per request, so a changed setting applies to repositories created before it too.
    config: push ? [['receive.maxInputSize', String(ctx.config.gitMaxPushBytes)]] : [],
    body,
    timeoutMs: TIMEOUT_MS[endpoint],
  });
  // A client that hangs up mid-transfer ends git too.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) cgi.kill();
  });
  if (push) {
    const responded = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
    // Whatever git's exit: updates git refused are dropped by startPushRuns (their ref does
    // not hold the pushed commit), and those it made before failing still get their runs.
    void Promise.all([cgi.exited.catch(() => null), responded])
      .then(() => startPushRuns(ctx, project, pending))
      .catch((error: unknown) =>
        ctx.log.error({ err: error, project: project.name }, 'after-push work failed'),
      );
  }
  const answer = push ? cgi.body.pipe(new PushLimitNotice(ctx.config.gitMaxPushBytes)) : cgi.body;
  return reply.code(cgi.status).headers(cgi.headers).send(answer);
}

/**
 * Who may fetch or push `<name>.git` (or plain `<name>`; looked up by name, never used as a
 * path): the same project rules as the API (access/project-guard.ts) — read to fetch, developer
 * to push. Without credentials only a public project can be fetched; for anything else git is
 * asked for credentials, alike for a missing and a private project. With credentials, a project
 * the user may not read is a 404 like a missing one.
 */
async function authorizeGit(
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  repo: string,
  push: boolean,
): Promise<ProjectRow> {
  const name = (repo.endsWith('.git') ? repo.slice(0, -'.git'.length) : repo).slice(0, 200);
  const principal = req.principal ?? (await authenticateBasic(ctx.db, req.headers.authorization));
  if (!principal) {
    if (!push) {
      const open = await checkProjectAccess(ctx, req, name, 'viewer').catch(() => null);
      if (open) return open.project;
    }
    reply.header('www-authenticate', 'Basic realm="Slipway"');
    throw unauthorized('git needs your Slipway user name and an API token as the password');
  }
  req.principal = principal;
  const access = await checkProjectAccess(ctx, req, name, push ? 'developer' : 'viewer');
  return access.project;
}
