/**
 * The constructs the issue lists, one small source each, checked through the parsed output
 * (what a run would do), not through text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { importPipeline } from '../../src/import/import-pipeline.js';

type Job = Record<string, unknown>;
function jobs(yaml: string | null): Map<string, { stage: string; job: Job }> {
  const doc = parse(yaml ?? '') as { stages: { name: string; jobs: Record<string, Job> }[] };
  const out = new Map<string, { stage: string; job: Job }>();
  for (const s of doc.stages)
    for (const [name, job] of Object.entries(s.jobs)) out.set(name, { stage: s.name, job });
  return out;
}
const codes = (r: ReturnType<typeof importPipeline>) =>
  r.report.entries.map((e) => `${e.line}:${e.outcome}:${e.code}`);

describe('GitLab CI', () => {
  it('resolves include: local (globs), extends, default and hidden templates', () => {
    const r = importPipeline({
      files: {
        '.gitlab-ci.yml':
          'include:\n  - local: ci/*.yml\ndefault:\n  image: node:20\n  before_script: [npm ci]\n.base:\n  variables: { A: "1" }\n  tags: [docker]\ntest:\n  extends: .base\n  variables: { B: "2" }\n  script: npm test\n',
        'ci/lint.yml': 'lint:\n  extends: .base\n  script: npm run lint\n  inherit:\n    default: false\n',
      },
    });
    const j = jobs(r.yaml);
    assert.deepEqual(j.get('test')?.job.variables, { A: '1', B: '2' });
    assert.deepEqual(j.get('test')?.job.before_script, ['npm ci']);
    assert.equal(j.get('lint')?.job.before_script, undefined, 'inherit: default: false');
    assert.ok(codes(r).includes('1:translated:gitlab.include.merged'));
    assert.ok(codes(r).some((c) => c.endsWith('translated:gitlab.template')));
  });

  it('turns rules, only/except and workflow:rules into filters, and reports what it cannot express', () => {
    const r = importPipeline({
      files: {
        '.gitlab-ci.yml': [
          'workflow:',
          '  rules:',
          '    - if: $CI_COMMIT_TAG',
          '    - if: $CI_COMMIT_BRANCH =~ /^release\\//',
          'deploy:',
          '  script: ./deploy',
          '  rules:',
          '    - if: $CI_PIPELINE_SOURCE == "schedule"',
          '      when: never',
          '    - if: $CI_COMMIT_BRANCH == "main"',
          '      when: manual',
          '      changes: [src/**/*]',
          '    - if: $DEPLOY == "yes"',
          'docs:',
          '  script: make docs',
          '  only: [main, tags, /^v\\d+/]',
          '  except: [schedules]',
          '',
        ].join('\n'),
      },
    });
    const doc = parse(r.yaml ?? '') as { workflow: unknown };
    assert.deepEqual(doc.workflow, { only: { branches: ['release\\/.*'], tags: ['.*'] } });
    const deploy = jobs(r.yaml).get('deploy')?.job;
    // `$DEPLOY == "yes"` may add the job on any branch; Slipway cannot test it, so the job may
    // run anywhere but only when started by hand.
    assert.equal(deploy?.only, undefined);
    assert.deepEqual(deploy?.except, { events: ['cron'] });
    assert.equal(deploy?.when, 'manual');
    assert.deepEqual(deploy?.changes, ['src/**/*']);
    assert.ok(codes(r).includes('13:untranslatable:gitlab.rules.if-manual'));
    const docs = jobs(r.yaml).get('docs')?.job;
    assert.deepEqual(docs?.only, { branches: ['^main$', 'v\\d+.*'], tags: ['^main$', 'v\\d+.*', '.*'] });
  });

  it('keeps services with alias, needs (splitting a stage), parallel:matrix, retry, cache, artifacts and reports', () => {
    const r = importPipeline({
      files: {
        '.gitlab-ci.yml': [
          'stages: [build, test]',
          'build:',
          '  stage: build',
          '  script: make',
          '  artifacts: { paths: [dist/], expire_in: 1 week, reports: { junit: report.xml } }',
          'unit:',
          '  stage: test',
          '  needs: [build]',
          '  script: make test',
          '  services: [{ name: "postgres:16", alias: db }, "redis:7"]',
          '  parallel: { matrix: [{ NODE: ["18", "20"] }] }',
          '  retry: { max: 2, when: [runner_system_failure, api_failure] }',
          '  cache: { key: { files: [package-lock.json] }, paths: [node_modules/], policy: pull }',
          "  coverage: '/Lines: \\d+%/'",
          'e2e:',
          '  stage: test',
          '  needs: [unit]',
          '  script: make e2e',
          '  timeout: 1h 30m',
          '',
        ].join('\n'),
      },
    });
    const j = jobs(r.yaml);
    const unit = j.get('unit')?.job;
    assert.deepEqual(unit?.services, { db: 'postgres:16', redis: 'redis:7' });
    assert.deepEqual(unit?.parallel, { matrix: [{ NODE: ['18', '20'] }] });
    assert.deepEqual(unit?.retry, { max: 2, when: ['runner_system_failure'] });
    assert.deepEqual(unit?.cache, {
      key: { files: ['package-lock.json'] },
      paths: ['node_modules/'],
      policy: 'pull',
    });
    assert.deepEqual(unit?.reports, { coverage: { regex: 'Lines: \\d+%' } });
    assert.deepEqual(j.get('build')?.job.reports, { junit: ['report.xml'] });
    assert.equal(j.get('e2e')?.stage, 'test-2', 'a same-stage need moves the job to a following stage');
    assert.equal(j.get('e2e')?.job.timeout, '1h30m');
    assert.ok(codes(r).includes('12:approximated:gitlab.retry.when'));
  });
});

describe('Woodpecker', () => {
  it('keeps step order, when, secrets from_secret, services, clone and labels of one workflow', () => {
    const r = importPipeline({
      files: {
        '.woodpecker.yml': [
          'labels: { arch: arm64 }',
          'clone: { git: { image: woodpeckerci/plugin-git, settings: { depth: 10, lfs: false } } }',
          'services:',
          '  db: { image: postgres:16, environment: { POSTGRES_PASSWORD: x } }',
          'steps:',
          '  build:',
          '    image: golang:1.22',
          '    commands: [go build, "echo $${HOME}"]',
          '  publish:',
          '    image: alpine',
          '    environment: { TOKEN: { from_secret: registry_token }, MODE: release }',
          '    commands: [./publish]',
          '    when: { event: [push, tag], branch: release/* }',
          '  notify:',
          '    image: alpine',
          '    commands: [./notify]',
          '    when: { status: [failure] }',
          '',
        ].join('\n'),
      },
    });
    const doc = parse(r.yaml ?? '') as { stages: { name: string }[]; clone: unknown; runs_on: unknown };
    assert.deepEqual(
      doc.stages.map((s) => s.name),
      ['build', 'publish', 'notify'],
    );
    // The git plugin's depth becomes Slipway's clone: (lfs: false is Slipway's behaviour anyway).
    assert.deepEqual(doc.clone, { depth: 10 });
    assert.ok(codes(r).includes('2:translated:woodpecker.clone.carried'));
    assert.deepEqual(doc.runs_on, { arch: 'arm64' });
    const j = jobs(r.yaml);
    assert.deepEqual(j.get('build')?.job.script, ['go build', 'echo $\u007bHOME}']);
    assert.deepEqual(j.get('publish')?.job.secrets, ['TOKEN']);
    assert.deepEqual(j.get('publish')?.job.only, { branches: ['release/.*'], events: ['push', 'tag'] });
    assert.equal(j.get('notify')?.job.when, 'on_failure');
    assert.deepEqual(Object.keys(j.get('build')?.job.services as object), ['db']);
    assert.ok(codes(r).some((c) => c.endsWith('approximated:woodpecker.from_secret.renamed')));
  });

  it('joins the files of .woodpecker/ into one DAG following depends_on, with matrix axes', () => {
    const r = importPipeline({
      files: {
        '.woodpecker/test.yml':
          'matrix: { GO: ["1.21", "1.22"] }\nsteps:\n  - name: unit\n    image: golang:$\u007bGO}\n    commands: [go test ./...]\n',
        '.woodpecker/release.yml':
          'depends_on: [test]\nsteps:\n  - name: tag\n    image: alpine\n    commands: [./release]\n',
      },
    });
    const j = jobs(r.yaml);
    assert.deepEqual(j.get('test-unit')?.job.matrix, { GO: ['1.21', '1.22'] });
    assert.deepEqual(j.get('release-tag')?.job.needs, ['test-unit']);
  });
});

describe('DaoCloud', () => {
  it('v1: install + before_script, DaoCloud images and services with their link variables', () => {
    const r = importPipeline({
      files: {
        'daocloud.yml':
          'image: daocloud/ci-python:2.7\nservices: [mysql]\nenv:\n  - MYSQL_INSTANCE_NAME = "test"\ninstall: [pip install -r r.txt]\nbefore_script: [echo hi]\nscript: [nosetests]\n',
      },
    });
    const test = jobs(r.yaml).get('test')?.job;
    assert.equal(test?.image, 'python:2.7');
    assert.deepEqual(test?.before_script, ['pip install -r r.txt', 'echo hi']);
    assert.deepEqual(test?.services, {
      mysql: { image: 'mysql:5.7', env: { MYSQL_ALLOW_EMPTY_PASSWORD: 'yes', MYSQL_DATABASE: 'test' } },
    });
    assert.equal((test?.variables as Record<string, string> | undefined)?.MYSQL_PORT_3306_TCP_ADDR, 'mysql');
  });

  it('v3: job types, dependencies, pull_request and the lite build as compile, extract, package', () => {
    const r = importPipeline({
      files: {
        'daocloud.yml': [
          'version: 3',
          'stages: [测试, 构建]',
          '单元测试:',
          '  stage: 测试',
          '  job_type: test',
          '  image: node:8',
          '  pull_request: false',
          '  script: [npm test]',
          '镜像:',
          '  stage: 构建',
          '  job_type: lite_image_build',
          '  dependencies: [单元测试]',
          '  only: { branches: [master] }',
          '  compile: { dockerfile_path: /Dockerfile.build, build_dir: / }',
          '  extract: [/app/dist]',
          '  package: { dockerfile_path: /Dockerfile, build_dir: / , cache: true }',
          '',
        ].join('\n'),
      },
    });
    const j = jobs(r.yaml);
    assert.deepEqual(j.get('单元测试')?.job.except, { events: ['pull_request'] });
    assert.deepEqual(j.get('镜像-compile')?.job.needs, ['单元测试']);
    assert.equal((j.get('镜像-compile')?.job.build as { push: boolean } | undefined)?.push, false);
    assert.deepEqual(j.get('镜像-extract')?.job.script, ['mkdir -p .', 'cp -a /app/dist ./']);
    assert.deepEqual(j.get('镜像')?.job.needs, ['镜像-extract']);
    assert.deepEqual(j.get('镜像')?.job.build, { dockerfile: 'Dockerfile', context: '.', cache: true });
    assert.deepEqual([...new Set([...j.values()].map((x) => x.stage))], ['测试', '构建', '构建-2', '构建-3']);
  });

  it('a file whose YAML is broken is an error with file:line:col', () => {
    assert.throws(
      () => importPipeline({ files: { 'daocloud.yml': 'version: 3\nstages:\n\t- build\n' } }),
      /daocloud\.yml:3:\d+: not valid YAML/,
    );
  });
});
