/**
 * `slipway exec` and `clone:`: the workspace holds the working copy as it is (an uncommitted
 * edit included) plus a shallow `.git` of HEAD made from the local repository — `git log`
 * shows `depth` commits, the branch is checked out, `git status` shows the edit, and nothing of
 * the local repository's config (its remote with a credential) comes along. `clone: false`
 * gives the files only. Real Docker, the CLI as a subprocess.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { describeRun, execDocker, git, makeRepo } from '../support/cli.js';
import { ensureGitImages } from '../support/git-image.js';

const docker = new Dockerode();
let image = '';

before(async () => {
  image = (await ensureGitImages(docker)).user;
});

const commit = (dir: string, message: string) =>
  git(dir, [
    '-c',
    'user.name=dev',
    '-c',
    'user.email=dev@example.invalid',
    'commit',
    '-q',
    '-a',
    '-m',
    message,
  ]);

describe('slipway exec with clone:', { timeout: 200_000 }, () => {
  test('working copy plus a shallow .git of HEAD; clone: false has none', async () => {
    const pipeline = (clone: string) => `version: 1
image: ${image}
${clone}
stages:
  - name: check
    jobs:
      git:
        script:
          - echo "count=$(git log --oneline | wc -l)"
          - echo "branch=$(git rev-parse --abbrev-ref HEAD)"
          - echo "changed=$(git status --porcelain | tr -d ' ')"
          - echo "remotes=$(git remote | wc -l)"
          - if [ -e .git ]; then echo has-git; else echo no-git; fi
`;
    const repo = await makeRepo({
      config: pipeline('clone: { depth: 2 }'),
      branch: 'topic',
      files: { 'a.txt': '0' },
    });
    try {
      for (const n of [1, 2, 3]) {
        await writeFile(join(repo.dir, 'a.txt'), String(n));
        await commit(repo.dir, `change ${n}`);
      }
      await git(repo.dir, ['remote', 'add', 'origin', 'https://dev:secret-token@example.invalid/app.git']);
      await writeFile(join(repo.dir, 'a.txt'), 'uncommitted');
      const run = await execDocker(repo, [], { killAfterMs: 150_000 });
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /count=2/);
      assert.match(run.stdout, /branch=topic/);
      assert.match(run.stdout, /changed=Ma\.txt/);
      assert.match(run.stdout, /remotes=0/);
      assert.match(run.stdout, /has-git/);
      assert.ok(!run.stdout.includes('secret-token'));

      await writeFile(join(repo.dir, '.slipway.yml'), pipeline('clone: false'));
      const plain = await execDocker(repo, [], { killAfterMs: 150_000 });
      assert.equal(plain.code, 0, describeRun(plain));
      assert.match(plain.stdout, /no-git/);
    } finally {
      await repo.cleanup();
    }
  });
});
