/**
 * Secrets through real containers: whatever shape a job prints a secret in (raw, base64 at any
 * alignment, split across writes, URL- or JSON-encoded, on stderr), the CLI's output shows
 * `********` instead, and a secret too short to mask is refused before anything runs.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { describeRun, execDocker, linesOf, makeRepo } from '../support/cli.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const TEST_TIMEOUT = { timeout: 90_000 };
const MASK = '********';

/** Changes under URL encoding (/ + space " & =) and JSON escaping ("). Under 57 bytes: one base64 line. */
const SECRET = 's3cr3t/Value+with "quotes"&more=1';

before(async () => {
  await ensureBusyboxImage(docker);
});

/**
 * The base64 characters determined by the secret's bytes alone when it starts `k` bytes into a
 * 3-byte group (k = 0, 1, 2): whatever precedes or follows it, these appear in the encoding.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [0, 1, 2].map((k) => {
    const encoded = Buffer.concat([Buffer.alloc(k, 0x78), bytes]).toString('base64');
    // Characters fully inside bits [8k, 8(k+n)) of the stream.
    return encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
  });
}

/** Script lines as YAML double-quoted scalars (a JSON string is one). */
function yamlList(lines: string[], indent: string): string {
  return lines.map((line) => `${indent}- ${JSON.stringify(line)}`).join('\n');
}

describe('slipway exec on Docker: secrets', { concurrency: true }, () => {
  test('a secret never shows in the output, in any encoding', TEST_TIMEOUT, async () => {
    const script = [
      `printf 'raw:%s\\n' "$DEPLOY_TOKEN"`,
      `printf 'stderr:%s\\n' "$DEPLOY_TOKEN" >&2`,
      `printf 'b64-0:%s\\n' "$(printf %s "$DEPLOY_TOKEN" | base64)"`,
      `printf 'b64-1:%s\\n' "$(printf 'x%s' "$DEPLOY_TOKEN" | base64)"`,
      `printf 'b64-2:%s\\n' "$(printf 'xy%s' "$DEPLOY_TOKEN" | base64)"`,
      // Two writes with a pause between them: the secret reaches the CLI in two chunks.
      `printf 'split:'; printf %s "$DEPLOY_TOKEN" | head -c 12; sleep 0.2; printf %s "$DEPLOY_TOKEN" | tail -c +13; echo`,
      // busybox cannot URL- or JSON-encode; the test commits those forms for the job to print.
      'cat encoded.txt',
    ];
    const repo = await makeRepo({
      config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: deploy
    jobs:
      leaky:
        secrets: [DEPLOY_TOKEN]
        script:
${yamlList(script, '          ')}
      bystander:
        script: echo "bystander:\${DEPLOY_TOKEN:-unset}"
`,
      files: {
        'encoded.txt': `url:${encodeURIComponent(SECRET)}\njson:${JSON.stringify(SECRET).slice(1, -1)}\n`,
      },
    });
    try {
      const run = await execDocker(repo, ['--secret', `DEPLOY_TOKEN=${SECRET}`]);
      assert.equal(run.code, 0, describeRun(run));
      const everything = run.stdout + run.stderr;

      const forbidden = new Map<string, string>([
        ['raw', SECRET],
        ['URL-encoded', encodeURIComponent(SECRET)],
        ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
        ...base64Cores(SECRET).map((core, k): [string, string] => [`base64 at offset ${k}`, core]),
      ]);
      for (const [form, text] of forbidden) {
        assert.ok(!everything.includes(text), `the ${form} form (${text}) leaked:\n${describeRun(run)}`);
      }
      // The first half alone would betray a split that was masked piecemeal.
      assert.ok(!everything.includes(SECRET.slice(0, 12)), describeRun(run));

      const leaky = linesOf(run.stdout, 'leaky');
      for (const line of ['raw', 'stderr', 'split', 'url', 'json', 'b64-0', 'b64-1', 'b64-2']) {
        const printed = leaky.find((l) => l.startsWith(`${line}:`));
        assert.ok(printed?.includes(MASK), `${line}: ${printed}\n${describeRun(run)}`);
      }
      assert.ok(leaky.includes(`raw:${MASK}`), describeRun(run));
      assert.ok(leaky.includes(`split:${MASK}`), describeRun(run));
      assert.ok(linesOf(run.stdout, 'bystander').includes('bystander:unset'), describeRun(run));
    } finally {
      await repo.cleanup();
    }
  });

  test('a secret shorter than 8 characters is refused without printing it', TEST_TIMEOUT, async () => {
    const short = 'pw-1234';
    const repo = await makeRepo({
      config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: deploy
    jobs:
      release:
        secrets: [DEPLOY_TOKEN]
        script: echo released
`,
    });
    try {
      const run = await execDocker(repo, ['--secret', `DEPLOY_TOKEN=${short}`]);
      assert.equal(run.code, 2, describeRun(run));
      assert.match(run.stderr, /DEPLOY_TOKEN/);
      assert.match(run.stderr, /8 characters/);
      assert.ok(!(run.stdout + run.stderr).includes(short), describeRun(run));
      assert.ok(!run.stdout.includes('released'), describeRun(run));
    } finally {
      await repo.cleanup();
    }
  });

  test(
    'a secret with a control character is refused, naming it and not printing it',
    TEST_TIMEOUT,
    async () => {
      // A NUL cannot travel in argv, but it can in a secrets file; ESC can in both.
      const repo = await makeRepo({
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: deploy
    jobs:
      release:
        secrets: [NUL_TOKEN, ESC_TOKEN]
        script: echo released
`,
        untracked: { 'secrets.env': 'NUL_TOKEN=nul-\u0000-in-the-middle\n' },
      });
      try {
        const run = await execDocker(repo, [
          '--secret-file',
          `${repo.dir}/secrets.env`,
          '--secret',
          'ESC_TOKEN=esc-\u001b[31m-colour',
        ]);
        assert.equal(run.code, 2, describeRun(run));
        assert.match(run.stderr, /secret NUL_TOKEN contains the control character U\+0000/);
        assert.match(run.stderr, /secret ESC_TOKEN contains the control character U\+001B/);
        for (const piece of ['in-the-middle', '-colour'])
          assert.ok(!(run.stdout + run.stderr).includes(piece), describeRun(run));
        assert.ok(!run.stdout.includes('released'), describeRun(run));
      } finally {
        await repo.cleanup();
      }
    },
  );

  test(
    'a long secret printed by base64 (wrapped at 76, or folded at 64) is masked on every line',
    TEST_TIMEOUT,
    async () => {
      // 170 bytes: base64 wraps it over three or four lines whatever its offset.
      const long = `long-${'k3y/Mat3rial+'.repeat(12)}-end-of-it`;
      const script = [0, 1, 2].flatMap((k) => {
        const pad = 'x'.repeat(k);
        return [
          `echo "w76-${k}:"; printf '${pad}%s' "$LONG_TOKEN" | base64`,
          `echo "w64-${k}:"; printf '${pad}%s' "$LONG_TOKEN" | base64 -w 0 | fold -w 64; echo`,
        ];
      });
      const repo = await makeRepo({
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: deploy
    jobs:
      wrapped:
        secrets: [LONG_TOKEN]
        script:
${yamlList(script, '          ')}
`,
      });
      try {
        const run = await execDocker(repo, ['--secret', `LONG_TOKEN=${long}`]);
        assert.equal(run.code, 0, describeRun(run));
        const lines = linesOf(run.stdout, 'wrapped');
        const cores = base64Cores(long);
        for (const line of lines) {
          // No piece of 11 characters (8 bytes' worth) of the secret's encoding, on any line.
          for (let i = 0; i + 11 <= line.length; i++) {
            const piece = line.slice(i, i + 11);
            assert.ok(!cores.some((core) => core.includes(piece)), `${line}\n${describeRun(run)}`);
          }
        }
        assert.ok(lines.filter((l) => l === MASK).length >= 6, describeRun(run));
      } finally {
        await repo.cleanup();
      }
    },
  );
});
