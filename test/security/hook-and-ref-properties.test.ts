/**
 * Property tests (fast-check) of the inputs that come from outside before anything is trusted:
 *   - the webhook parsers of every forge, given random and hostile JSON and headers, answer a
 *     typed result or a typed 400 (AppError `invalid`), never another kind of throw;
 *   - the one ref-name rule (domain/ref.ts) is what every user of it applies — the git server,
 *     the manual-run and project APIs, webhooks — and never accepts a name git would refuse;
 *   - repository paths built from ids never leave their root.
 * numRuns are small enough for the file to finish in a few seconds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isValidRefName, isValidShortRefName, parseRef } from '../../src/domain/ref.js';
import { AppError } from '../../src/server/errors.js';
import { isSafeRefName, normalizeTreePath } from '../../src/server/git/ref-names.js';
import { RepoPathError, repoPath, rootFor } from '../../src/server/git/repo-paths.js';
import { BRANCH } from '../../src/server/projects/project-fields.js';
import { gitea } from '../../src/server/webhooks/gitea.js';
import { gitee, giteeDeliveryId } from '../../src/server/webhooks/gitee.js';
import { github } from '../../src/server/webhooks/github.js';
import { gitlab } from '../../src/server/webhooks/gitlab.js';
import { parseHookBody } from '../../src/server/webhooks/hook-body.js';
import { branchRef, type ForgeAdapter, pushEvent } from '../../src/server/webhooks/hook-event.js';
import { normaliseRepositoryUrl } from '../../src/server/webhooks/repository-binding.js';

const FORGES: [string, ForgeAdapter, string, string[]][] = [
  ['github', github, 'x-github-event', ['push', 'pull_request', 'ping', '']],
  ['gitea', gitea, 'x-gitea-event', ['push', 'pull_request', 'create', '']],
  ['gitlab', gitlab, 'x-gitlab-event', ['Push Hook', 'Tag Push Hook', 'Merge Request Hook', 'Note Hook', '']],
  ['gitee', gitee, 'x-gitee-event', ['Push Hook', 'Tag Push Hook', 'Merge Request Hook', 'Issue Hook', '']],
];

const sha = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 40 }),
  fc.constant('0'.repeat(40)),
  fc.string({ maxLength: 70 }),
);
/** Strings rich in what ref and path rules care about. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '.',
      '..',
      '-',
      '/',
      '@',
      '{',
      '}',
      '~',
      '^',
      ':',
      '?',
      '*',
      '[',
      '\\',
      ' ',
      '.lock',
      'refs/',
      'HEAD',
    ),
    fc.constantFrom('\u0000', '\n', '\r', '\t', '\u007f', '\u001b'),
    fc.constantFrom('é', '分支', '\u202e', '\ud83d\ude80'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }),
  ),
  maxLength: 12,
});
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty, sha, fc.constant(null));

/** Payloads near the real shapes (so parsing gets deep), with any field replaced by anything. */
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      ref: fc.oneof(
        nasty.map((n) => `refs/heads/${n}`),
        nasty.map((n) => `refs/tags/${n}`),
        anyValue,
      ),
      before: sha,
      after: sha,
      checkout_sha: fc.oneof(sha, fc.constant(null)),
      deleted: fc.oneof(fc.boolean(), anyValue),
      head_commit: fc.oneof(
        fc.record({ id: sha, message: anyValue, author: fc.record({ name: anyValue }) }),
        anyValue,
      ),
      sender: fc.oneof(fc.record({ login: anyValue, id: anyValue }), anyValue),
      user_username: anyValue,
      repository: fc.oneof(fc.record({ id: anyValue, clone_url: anyValue, html_url: anyValue }), anyValue),
      project: fc.oneof(fc.record({ id: anyValue, git_http_url: anyValue }), anyValue),
      project_id: anyValue,
      action: fc.oneof(
        fc.constantFrom('opened', 'synchronize', 'synchronized', 'reopened', 'closed', 'open', 'update'),
        anyValue,
      ),
      action_desc: fc.oneof(fc.constantFrom('source_branch_changed', 'edit_title'), anyValue),
      number: anyValue,
      pull_request: fc.oneof(
        fc.record({
          number: anyValue,
          head: fc.record({ ref: nasty, sha, repo: anyValue, repo_id: anyValue }),
          base: fc.record({ ref: nasty, sha, repo: anyValue, repo_id: anyValue }),
        }),
        anyValue,
      ),
      user: anyValue,
      object_attributes: fc.oneof(
        fc.record({
          action: fc.constantFrom('open', 'reopen', 'update', 'close'),
          iid: anyValue,
          source_branch: nasty,
          source_project_id: anyValue,
          target_project_id: anyValue,
          oldrev: anyValue,
          last_commit: fc.record({ id: sha, message: anyValue, author: fc.record({ name: anyValue }) }),
        }),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  ),
);

function headersFor(eventHeader: string, events: string[]) {
  return fc
    .record(
      {
        event: fc.oneof(fc.constantFrom(...events), fc.string({ maxLength: 20 })),
        extra: fc.dictionary(
          fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 1, maxLength: 24 }),
          fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 })),
          { maxKeys: 6 },
        ),
        /** Gitee's token, timestamp and ping headers (the others ignore them). */
        gitee: fc.record(
          {
            'x-gitee-token': fc.string({ maxLength: 60 }),
            'x-gitee-timestamp': fc.oneof(fc.string({ maxLength: 20 }), fc.nat().map(String)),
            'x-gitee-ping': fc.constantFrom('true', 'false'),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['event', 'gitee'] },
    )
    .map(({ event, extra, gitee }) => ({ ...extra, ...gitee, [eventHeader]: event }) as IncomingHttpHeaders);
}

/** Only an `invalid` AppError may come out of a parser. */
function typedOutcome(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AppError, `threw a non-AppError: ${String(error)}`);
    assert.equal(error.code, 'invalid');
  }
}

describe('webhook parsers under random and hostile input', { timeout: 30_000 }, () => {
  for (const [name, adapter, eventHeader, events] of FORGES) {
    test(`${name}: classify, repository, verify and deliveryId never throw untyped errors`, () => {
      fc.assert(
        fc.property(headersFor(eventHeader, events), payload, (headers, body) => {
          typedOutcome(() => {
            const event = adapter.classify(headers, body);
            assert.ok(event.kind === 'run' || event.kind === 'ignored');
            if (event.kind === 'run') {
              // Whatever got through names a valid ref and a full sha.
              assert.match(event.sha, /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/);
              assert.ok(isValidShortRefName(event.ref.name), event.ref.name);
              if (event.ref.kind === 'pull_request') assert.ok(Number.isInteger(event.ref.number));
            }
          });
          const repo = adapter.repository(body);
          assert.ok(
            repo === null || (Array.isArray(repo.urls) && (repo.id === null || typeof repo.id === 'string')),
          );
          for (const url of repo?.urls ?? []) normaliseRepositoryUrl(url);
          const raw = Buffer.from(JSON.stringify(body) ?? '');
          assert.equal(typeof adapter.verify(headers, raw, 'secret', Date.now()), 'boolean');
          const id = adapter.deliveryId(headers, body);
          assert.ok(id === null || typeof id === 'string');
        }),
        { numRuns: 300 },
      );
    });
  }

  test('gitee: the derived delivery id ignores per-attempt fields and key order, nothing else', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.jsonValue({ maxDepth: 1 }),
        (fields, timestamp, sign, changed) => {
          const base = { ...fields, hook_id: 1, timestamp: '1', sign: 'a', password: 'p' };
          const retry = Object.fromEntries(
            Object.entries({ ...base, timestamp, sign, password: 'q' }).reverse(),
          );
          assert.equal(giteeDeliveryId(retry), giteeDeliveryId(base), 'a retry is a duplicate');
          // Another hook (hook_id) or another event (any other field) is another delivery.
          assert.notEqual(giteeDeliveryId({ ...base, hook_id: 2 }), giteeDeliveryId(base));
          const other = { ...base, extra_field: changed };
          assert.notEqual(giteeDeliveryId(other), giteeDeliveryId(base));
          assert.match(giteeDeliveryId(base), /^[\w.:-]{1,200}$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the body reader answers JSON or a typed 400 for any bytes and content type', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
        ),
        fc.constantFrom(
          undefined,
          'application/json',
          'application/x-www-form-urlencoded',
          'text/plain; x=1',
        ),
        (bytes, type) => typedOutcome(() => parseHookBody(Buffer.from(bytes), type)),
      ),
      { numRuns: 300 },
    );
  });
});

describe('one ref-name rule for every user', { timeout: 30_000 }, () => {
  test('git server, manual runs, project settings and webhooks agree on every name', () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.string({ maxLength: 20 })), (name) => {
        const short = isValidShortRefName(name);
        assert.equal(isSafeRefName(name), isValidRefName(name), 'git server = domain');
        assert.equal(BRANCH.safeParse(name).success, short && name.length <= 255, 'project/manual-run field');
        assert.equal(branchRef(name) !== null, short, 'pull request branches');
        if (!name.startsWith('refs/')) {
          // A pushed `refs/heads/<name>` (git server, forge push) is valid exactly when `<name>` is.
          assert.equal(isValidRefName(`refs/heads/${name}`), short, 'push of a branch');
          assert.equal(isValidRefName(`refs/tags/${name}`), short, 'push of a tag');
          const push = pushEvent({
            ref: `refs/heads/${name}`,
            before: '0'.repeat(40),
            after: 'a'.repeat(40),
            actor: 'x',
            commit: null,
          });
          assert.equal(push.kind === 'run', short, 'webhook push');
          if (push.kind === 'run') assert.deepEqual(push.ref, parseRef(`refs/heads/${name}`));
        }
        if (short) {
          assert.ok(!name.startsWith('-') && !name.includes('..') && !/[\u0000-\u001f\u007f]/.test(name));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('every name the rule accepts is one git accepts too', () => {
    const accepted = fc.sample(nasty.filter(isValidShortRefName), { numRuns: 40, seed: 9 });
    for (const name of [...accepted, 'feature/x', 'v1.2.0', 'é/分支']) {
      // Throws (non-zero exit) when git refuses the name.
      execFileSync('git', ['check-ref-format', `refs/heads/${name}`], { stdio: 'ignore' });
    }
  });

  test('repository paths stay inside their root; tree paths never climb', () => {
    const dataDir = '/srv/slipway-data';
    fc.assert(
      fc.property(
        fc.oneof(nasty, fc.uuid(), fc.string({ maxLength: 40 })),
        fc.constantFrom('builtin', 'remote'),
        (id, kind) => {
          const project = { id, source_kind: kind } as const;
          try {
            const path = repoPath(dataDir, project);
            assert.equal(dirname(path), rootFor(dataDir, project));
            assert.equal(path, join(rootFor(dataDir, project), `${id}.git`));
          } catch (error) {
            assert.ok(error instanceof RepoPathError, String(error));
          }
          const tree = normalizeTreePath(id);
          if (tree !== null) {
            assert.ok(
              !tree.startsWith('/') && !tree.split('/').includes('..') && !tree.split('/').includes(''),
            );
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
