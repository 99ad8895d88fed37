/**
 * `slipway exec` on real Docker with the constructs of pipeline language 2 at once: Chinese
 * stage and job names, `include:` of a glob, `extends:` of a template from an included file,
 * `default:`, `matrix:` with a fan-in `needs`, and `$VAR` expanded in `image:`.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { displayWidth } from '../../src/pipeline/config/display-width.js';
import { describeRun, execDocker, makeRepo } from '../support/cli.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const [REPOSITORY, TAG] = BUSYBOX_IMAGE.split(':') as [string, string];

before(async () => {
  await ensureBusyboxImage(docker);
});

const CONFIG = `version: 1
include: ci/*.yml
variables:
  BUSYBOX_TAG: "${TAG}"
default:
  image: ${REPOSITORY}:$BUSYBOX_TAG
stages:
  - name: 构建
    jobs:
      编译:
        extends: .say
        variables: { WORD: built }
`;

const FILES = {
  'ci/templates.yml': `.say:
  script:
    - echo "word=$WORD job=$CI_JOB_NAME slug=$CI_JOB_NAME_SLUG ref=$CI_COMMIT_REF_SLUG"
`,
  'ci/test.yml': `stages:
  - name: 单元 测试
    jobs:
      测试:
        extends: .say
        matrix: { node: [18, 20] }
        variables: { WORD: "n$node" }
        needs: [编译]
  - name: 汇总
    jobs:
      汇总:
        needs: [测试]
        script: echo "all done"
`,
};

/** The text after `│ ` of every job output line (the printer pads names; CJK names have spaces). */
function outputTexts(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => /│ (.*)$/.exec(line)?.[1])
    .filter((text): text is string => text !== undefined);
}

describe('slipway exec: names in any language, include, extends, default, matrix, variables', () => {
  test('runs every job with its expanded image and matrix variables', { timeout: 120_000 }, async () => {
    const repo = await makeRepo({ config: CONFIG, files: FILES, branch: 'feature/Lang_2' });
    try {
      const run = await execDocker(repo);
      assert.equal(run.code, 0, describeRun(run));
      const texts = outputTexts(run.stdout);
      const said = (text: string) => texts.some((t) => t.includes(text));
      assert.ok(said('word=built job=编译 slug=x-'), describeRun(run));
      assert.ok(said('word=n18 job=测试 [node=18]'), describeRun(run));
      assert.ok(said('word=n20 job=测试 [node=20]'), describeRun(run));
      assert.ok(said('ref=feature-lang-2'), describeRun(run));
      assert.ok(said('all done'), describeRun(run));
      // Job names are padded by terminal columns: the bars line up under CJK names too.
      const bars = run.stdout
        .split('\n')
        .filter((line) => line.includes(' │ '))
        .map((line) => displayWidth(line.slice(0, line.indexOf(' │ '))));
      assert.equal(new Set(bars).size, 1, describeRun(run));
    } finally {
      await repo.cleanup();
    }
  });

  test('--job with the name of a matrix job runs all its combinations', { timeout: 120_000 }, async () => {
    const repo = await makeRepo({ config: CONFIG, files: FILES });
    try {
      const run = await execDocker(repo, ['--job', '测试']);
      assert.equal(run.code, 0, describeRun(run));
      const texts = outputTexts(run.stdout);
      assert.ok(
        texts.some((t) => t.includes('job=测试 [node=18]')),
        describeRun(run),
      );
      assert.ok(
        texts.some((t) => t.includes('job=测试 [node=20]')),
        describeRun(run),
      );
      assert.ok(!texts.some((t) => t.includes('all done')), describeRun(run));
    } finally {
      await repo.cleanup();
    }
  });

  test('an error in an included file names that file, line and column', { timeout: 60_000 }, async () => {
    const files = { ...FILES, 'ci/test.yml': FILES['ci/test.yml'].replace('needs: [编译]', 'neds: [编译]') };
    const repo = await makeRepo({ config: CONFIG, files });
    try {
      const run = await execDocker(repo);
      assert.equal(run.code, 1, describeRun(run));
      assert.match(
        run.stderr,
        /ci\/test\.yml:8:9: error\[unknown-key\]: unknown key "neds"/,
        describeRun(run),
      );
    } finally {
      await repo.cleanup();
    }
  });
});
