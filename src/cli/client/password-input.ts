import { createInterface } from 'node:readline';
import type { CliIO } from '../exec.js';
import { UsageError } from '../usage-error.js';

/**
 * Passwords for the CLI, never from a flag (it would land in the shell history and `ps`): from
 * an environment variable (scripts, tests), from stdin lines (`--password-stdin`), or typed at
 * a hidden prompt when stdin is a terminal.
 */
export async function readPasswords(
  io: CliIO,
  wanted: { env: string; prompt: string }[],
  fromStdin: boolean,
): Promise<string[]> {
  const given = wanted.map((w) => io.env[w.env]);
  if (given.every((v) => v !== undefined && v !== '')) return given as string[];
  if (fromStdin || !process.stdin.isTTY) {
    const lines = (await readAll()).split(/\r?\n/);
    return wanted.map((w, i) => {
      const value = given[i] || lines.shift();
      if (!value)
        throw new UsageError(`no ${w.prompt.toLowerCase()}: give it on stdin (one per line) or in ${w.env}`);
      return value;
    });
  }
  const out: string[] = [];
  for (const [i, w] of wanted.entries()) out.push(given[i] || (await hiddenPrompt(`${w.prompt}: `)));
  return out;
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing what is typed. */
function hiddenPrompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const mutable = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    mutable._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
