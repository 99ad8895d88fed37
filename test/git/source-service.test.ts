/**
 * GitSourceService on real repositories in a temp data dir: built-in repos, commits of a
 * directory, reads, archives, and remote mirrors fetched over file:// and HTTP.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/server/errors.js';
import { GitSourceService } from '../../src/server/git/source-service.js';
import { git, insertProject, silentLogger, workRepo } from '../support/git.js';
import { projectRow } from '../support/rows.js';
import { createUserWithToken, startTestServer } from '../support/server.js';

/** Names of the entries of a tar stream, via the system's tar. */
async function tarNames(stream: Readable): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Promise((resolve, reject) => {
    const child = execFile('tar', ['-tf', '-'], (error, stdout) =>
      error ? reject(error) : resolve(stdout.split('\n').filter(Boolean)),
    );
    child.stdin?.end(Buffer.concat(chunks));
  });
}

describe('GitSourceService: built-in repositories', () => {
  let dataDir: string;
  let source: string;
  let sources: GitSourceService;
  const p = projectRow({ default_branch: 'trunk' });
  let first: string;
  let second: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-src-'));
    source = await mkdtemp(join(tmpdir(), 'slipway-dir-'));
    sources = new GitSourceService({ dataDir, log: silentLogger(), maxFileBytes: 64 });
    await mkdir(join(source, 'src'));
    await writeFile(join(source, '.slipway.yml'), 'version: 1\n');
    await writeFile(join(source, 'src', 'main.txt'), 'hello\n');
    await writeFile(join(source, 'big.txt'), 'x'.repeat(100));
    await symlink('/etc/passwd', join(source, 'link'));
    first = await sources.commitDirectory(p, source, 'trunk', 'initial import');
    await writeFile(join(source, 'src', 'main.txt'), 'hello again\n');
    second = await sources.commitDirectory(p, source, 'trunk', 'second');
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(source, { recursive: true, force: true });
  });

  test('ensureRepository makes a bare repo on the default branch that accepts pushes; idempotent', async () => {
    await sources.ensureRepository(p);
    await sources.ensureRepository(p);
    const gitDir = join(dataDir, 'repos', `${p.id}.git`);
    assert.equal(await git(gitDir, ['config', 'http.receivepack']), 'true');
    assert.equal(await git(gitDir, ['symbolic-ref', 'HEAD']), 'refs/heads/trunk');
  });

  test('commitDirectory commits as Slipway, on top of the branch; unchanged content makes no commit', async () => {
    assert.notEqual(first, second);
    const info = await sources.commitInfo(p, second);
    assert.equal(info?.author, 'Slipway');
    assert.equal(info?.message, 'second');
    const gitDir = join(dataDir, 'repos', `${p.id}.git`);
    assert.equal(await git(gitDir, ['rev-parse', `${second}^`]), first);
    assert.equal(await sources.commitDirectory(p, source, 'trunk', 'again'), second);
    await assert.rejects(sources.commitDirectory(p, source, 'bad..name', 'x'), AppError);
  });

  test('readFile: by branch, full ref and sha; null when the file or ref is missing', async () => {
    assert.equal(await sources.readFile(p, 'trunk', 'src/main.txt'), 'hello again\n');
    assert.equal(await sources.readFile(p, 'refs/heads/trunk', './src/main.txt'), 'hello again\n');
    assert.equal(await sources.readFile(p, first, 'src/main.txt'), 'hello\n');
    assert.equal(await sources.readFile(p, first.slice(0, 10), 'src/main.txt'), 'hello\n');
    assert.equal(await sources.readFile(p, 'trunk', 'missing.txt'), null);
    assert.equal(await sources.readFile(p, 'trunk', 'src'), null, 'a directory is not a file');
    assert.equal(await sources.readFile(p, 'nope', 'src/main.txt'), null);
    assert.equal(await sources.readFile(p, 'trunk~1', 'src/main.txt'), null, 'revision syntax is not a ref');
    assert.equal(await sources.readFile(p, '--output=/tmp/x', 'src/main.txt'), null);
    assert.equal(await sources.readFile(p, 'trunk', '../../etc/passwd'), null);
    assert.equal(await sources.readFile(projectRow(), 'main', 'x'), null, 'no repository yet');
  });

  test('readFile refuses a file over the size cap', async () => {
    await assert.rejects(
      sources.readFile(p, 'trunk', 'big.txt'),
      (error: unknown) => error instanceof AppError && error.code === 'too_large',
    );
  });

  test('resolve and listRefs: branches and (peeled) tags', async () => {
    const gitDir = join(dataDir, 'repos', `${p.id}.git`);
    await git(gitDir, ['tag', '-a', 'v1', '-m', 'one', first]);
    await git(gitDir, ['tag', 'light', second]);
    assert.equal(await sources.resolve(p, { kind: 'branch', name: 'trunk' }), second);
    assert.equal(await sources.resolve(p, { kind: 'tag', name: 'v1' }), first);
    assert.equal(await sources.resolve(p, { kind: 'branch', name: 'v1' }), null);
    assert.equal(await sources.resolve(p, { kind: 'branch', name: 'trunk^' }), null);
    const refs = await sources.listRefs(p);
    assert.deepEqual(refs.branches, [{ name: 'trunk', sha: second }]);
    assert.deepEqual(refs.tags, [
      { name: 'light', sha: second },
      { name: 'v1', sha: first },
    ]);
  });

  test('archive: a tar of the tree, no .git; symlinks stay links; unknown commit is not_found', async () => {
    const names = await tarNames(await sources.archive(p, second));
    assert.deepEqual(names.sort(), ['.slipway.yml', 'big.txt', 'link', 'src/', 'src/main.txt']);
    assert.ok(!names.some((n) => n.includes('.git/')));
    await assert.rejects(
      sources.archive(p, 'f'.repeat(40)),
      (error: unknown) => error instanceof AppError && error.code === 'not_found',
    );
  });

  test('changedFiles between commits, and of a first commit', async () => {
    assert.deepEqual(await sources.changedFiles(p, first, second), ['src/main.txt']);
    assert.deepEqual((await sources.changedFiles(p, null, first)).sort(), [
      '.slipway.yml',
      'big.txt',
      'link',
      'src/main.txt',
    ]);
    assert.deepEqual(await sources.changedFiles(p, 'a'.repeat(40), second), ['src/main.txt']);
  });
});

describe('GitSourceService: remote mirrors', () => {
  test('refresh fetches a file:// remote only when the allowlist permits it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-src-'));
    const upstream = await workRepo();
    try {
      const sha = await upstream.commit({ '.slipway.yml': 'version: 1\n' }, 'upstream');
      await upstream.git('tag', 'v2');
      const remote = projectRow({
        source_kind: 'remote',
        remote_url: `file://${upstream.dir}`,
        forge: 'github',
      });

      const strict = new GitSourceService({ dataDir, log: silentLogger() });
      await assert.rejects(strict.refresh(remote), /local repositories are not allowed/);
      const asPath = { ...remote, remote_url: upstream.dir };
      await assert.rejects(strict.refresh(asPath), /local repositories are not allowed/);

      const open = new GitSourceService({ dataDir, log: silentLogger(), outboundAllowlist: ['file://'] });
      await open.refresh(remote);
      assert.equal(await open.resolve(remote, { kind: 'branch', name: 'main' }), sha);
      assert.equal(await open.resolve(remote, { kind: 'tag', name: 'v2' }), sha);
      assert.equal(await open.readFile(remote, 'main', '.slipway.yml'), 'version: 1\n');

      // Deleted upstream branches disappear from the mirror (--prune).
      await upstream.git('branch', 'gone');
      await open.refresh(remote);
      assert.equal((await open.listRefs(remote)).branches.length, 2);
      await upstream.git('branch', '-D', 'gone');
      await Promise.all([open.refresh(remote), open.refresh(remote), open.refresh(remote)]);
      assert.deepEqual(
        (await open.listRefs(remote)).branches.map((b) => b.name),
        ['main'],
      );
    } finally {
      await upstream.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('refresh over HTTP with credentials in the URL leaves no credentials in the mirror', async () => {
    const t = await startTestServer();
    const upstream = await workRepo();
    try {
      const token = await createUserWithToken(t.server, 'fetcher', 'maintainer');
      await insertProject(t.server, { name: 'upstream' });
      const sha = await upstream.commit({ 'a.txt': 'a' }, 'one');
      const authed = `${t.url.replace('://', `://fetcher:${token}@`)}/git/upstream.git`;
      await upstream.git('push', '-q', authed, 'main');

      const dataDir = await mkdtemp(join(tmpdir(), 'slipway-src-'));
      const remote = projectRow({ source_kind: 'remote', remote_url: authed });
      const refused = new GitSourceService({ dataDir, log: silentLogger() });
      await assert.rejects(refused.refresh(remote), /loopback, link-local or private/);

      const allowed = new GitSourceService({
        dataDir,
        log: silentLogger(),
        outboundAllowlist: ['127.0.0.1'],
      });
      await allowed.refresh(remote);
      assert.equal(await allowed.resolve(remote, { kind: 'branch', name: 'main' }), sha);
      const gitDir = join(dataDir, 'mirrors', `${remote.id}.git`);
      const config = await readFile(join(gitDir, 'config'), 'utf8');
      assert.ok(!config.includes(token), 'the token is not in the mirror config');
      assert.ok(!config.includes('127.0.0.1'), 'not even the URL is stored');
      await rm(dataDir, { recursive: true, force: true });
    } finally {
      await upstream.cleanup();
      await t.close();
    }
  });
});
