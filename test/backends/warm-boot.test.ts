/**
 * The warm container's hand-over protocol (warm-boot.ts) with the host's own POSIX shell
 * standing in for a container's: the waiting shell runs exactly the job script with exactly
 * the job's environment, and the script's exit code is the process's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { bootScript, exportableEnv, jobPayload } from '../../src/backends/docker/warm-boot.js';

function handOver(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const child = spawn('/bin/sh', ['-c', bootScript(60)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stdin.write(jobPayload(script, env));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

/** The same script as a fresh container runs it: `/bin/sh -c SCRIPT` with the job's environment. */
function direct(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn('/bin/sh', ['-c', script], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

test('the job runs with its environment verbatim and its own exit code, as a fresh shell would', async () => {
  const tricky = `it's $(echo no) \`echo no\` $HOME "q" \\ ${'x'.repeat(3000)}\nsecond line`;
  const script = 'printf "%s|%s|%s" "$TRICKY" "$SHLVL" "$0"; exit 9';
  const warm = await handOver(script, { TRICKY: tricky });
  assert.equal(warm.code, 9);
  assert.ok(warm.out.startsWith(`${tricky}|`), 'the value arrives unchanged');
  assert.deepEqual(warm, await direct(script, { TRICKY: tricky }));
});

test('the job reads no stdin, as in a fresh container', async () => {
  const { code, out } = await handOver('cat; echo done', {});
  assert.equal(code, 0);
  assert.equal(out, 'done\n');
});

test('only shell-exportable environments are handed over', () => {
  assert.equal(exportableEnv({ A_1: 'x', _b: '' }), true);
  assert.equal(exportableEnv({ 'A-B': 'x' }), false);
  assert.equal(exportableEnv({ A: 'nul\0byte' }), false);
});
