import { fileURLToPath } from 'node:url';
import { type CliIO, execCommand } from './exec.js';

/**
 * `npm start` today: run the bundled demo pipeline through the real runtime, on Docker when the
 * engine answers, so a newcomer sees a run within seconds. With the server (issue #3) this
 * becomes `slipway server` on its embedded defaults.
 */
export async function startCommand(argv: string[], io: CliIO): Promise<number> {
  const demo = fileURLToPath(new URL('../../examples/demo', import.meta.url));
  io.stdout(`Slipway: running the demo pipeline in ${demo}\n\n`);
  return execCommand(['--dir', demo, ...argv], io);
}
