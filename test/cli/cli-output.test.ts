/**
 * The CLI as a user meets it (issue #14): every command answers `--help` with its own usage,
 * tables stay aligned with Chinese names, piped output has no emoji, and a reader that closes
 * the pipe early (`slipway … | head`) ends the command quietly — no EPIPE stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../src/api/runs.js';
import { runCells } from '../../src/cli/client/format.js';
import { main } from '../../src/cli/main.js';
import { textTable } from '../../src/cli/text-table.js';
import { SLIPWAY_BIN } from '../support/cli.js';

function capture(): { io: Parameters<typeof main>[1]; out: () => string } {
  let text = '';
  return {
    io: {
      stdout: (t: string) => {
        text += t;
      },
      stderr: (t: string) => {
        text += t;
      },
      cwd: process.cwd(),
      env: {},
      color: false,
      interrupts: process,
    } as Parameters<typeof main>[1],
    out: () => text,
  };
}

/** The commands the general usage lists, in its order. */
async function listedCommands(): Promise<string[]> {
  const c = capture();
  await main(['help'], c.io);
  return [...[...c.out().matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string), 'scale'];
}

describe('slipway CLI output', () => {
  it('every listed command has its own --help, never the general usage', async () => {
    const commands = await listedCommands();
    assert.ok(commands.length >= 25, `found ${commands.join(',')}`);
    for (const command of commands) {
      const c = capture();
      const code = await main([command, '--help'], c.io);
      assert.equal(code, 0, command);
      assert.match(
        c.out(),
        new RegExp(`^usage: slipway ${command}\\b`),
        `${command}: ${c.out().slice(0, 80)}`,
      );
      assert.doesNotMatch(c.out(), /^commands:/m, `${command} printed the general usage`);
    }
  });

  it('tables align by display width, Chinese names included', () => {
    const text = textTable([
      ['PROJECT', 'STATUS'],
      ['支付服务', 'ok'],
      ['api', 'failed'],
    ]);
    const lines = text.trimEnd().split('\n');
    // "STATUS" starts in the same terminal column on every line: CJK characters take two.
    assert.deepEqual(lines, ['PROJECT   STATUS', '支付服务  ok', 'api       failed']);
  });

  it('a run row says its status in words when output is not a colour terminal', () => {
    const run = {
      number: 7,
      record: 'main-abc1234',
      actor: 'alice',
      trigger: 'manual',
      ref: { kind: 'branch', name: 'main' },
      shortSha: 'abc1234',
      status: 'failed',
      cancelReason: null,
      stages: [
        { name: 'build', status: 'succeeded' },
        { name: 'test', status: 'failed' },
      ],
      durationMs: 65_000,
      commitTime: Date.now() - 2 * 3_600_000,
    } as unknown as RunSummary;
    const plain = runCells(run, Date.now(), false);
    assert.deepEqual(plain.slice(0, 5), ['#7', 'main-abc1234', 'alice (manual)', 'main·abc1234', 'failed']);
    assert.ok(
      plain.every((cell) => !/\p{Extended_Pictographic}|\u001b\[/u.test(cell)),
      plain.join(' | '),
    );
    assert.match(runCells(run, Date.now(), true)[4] ?? '', /✅-❌ failed/);
  });

  it('a closed pipe ends the command quietly', async () => {
    const child = spawn(process.execPath, [SLIPWAY_BIN, 'help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write, as with `| head -0`
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(stderr, '', 'nothing on stderr');
    assert.equal(code, 0);
  });
});
