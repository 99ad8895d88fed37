/**
 * `npm run bench`: every benchmark in sequence, each in its own process (`node --import tsx`),
 * so one bench's engine state, server or browser can never leak into the next one's numbers,
 * and each stays runnable alone with `npx tsx bench/<name>.ts`. Output streams through as it
 * comes (Markdown for BENCHMARKS.md); a summary and a non-zero exit code tell which failed.
 *
 * BENCH=build,deploy runs a subset (names as below). ROUNDS is passed through unchanged, and
 * each bench reads it in its own unit (rounds, or requests per query for records-page), so
 * leave it unset for the documented defaults.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMs } from './stats.js';

interface Bench {
  name: string;
  file: string;
  /** A last resort above the bench's own bounds: killed, the bench cannot run its cleanup. */
  timeoutMs: number;
}

const BENCHES: Bench[] = [
  { name: 'pipeline', file: 'run.ts', timeoutMs: 20 * 60_000 },
  { name: 'fast-repeat', file: 'fast-repeat.bench.ts', timeoutMs: 20 * 60_000 },
  { name: 'line-writer', file: 'line-writer.bench.ts', timeoutMs: 5 * 60_000 },
  { name: 'yaml-budgets', file: 'yaml-budgets.bench.ts', timeoutMs: 10 * 60_000 },
  { name: 'server', file: 'server.bench.ts', timeoutMs: 20 * 60_000 },
  { name: 'log-flood', file: 'log-flood.bench.ts', timeoutMs: 30 * 60_000 },
  { name: 'records-page', file: 'records-page.bench.ts', timeoutMs: 15 * 60_000 },
  { name: 'build', file: 'build.bench.ts', timeoutMs: 20 * 60_000 },
  { name: 'deploy', file: 'deploy.bench.ts', timeoutMs: 30 * 60_000 },
  { name: 'ui', file: 'ui.bench.ts', timeoutMs: 20 * 60_000 },
  { name: 'cache', file: 'cache.bench.ts', timeoutMs: 30 * 60_000 },
  { name: 'artifacts', file: 'artifacts.ts', timeoutMs: 20 * 60_000 },
  { name: 'import-coverage', file: 'import-coverage.ts', timeoutMs: 5 * 60_000 },
  { name: 'insights', file: 'insights.bench.ts', timeoutMs: 30 * 60_000 },
  { name: 'collect', file: 'collect.bench.ts', timeoutMs: 20 * 60_000 },
  { name: 'collect-cost', file: 'collect-cost.bench.ts', timeoutMs: 10 * 60_000 },
  { name: 'http-proxy', file: 'http-proxy.bench.ts', timeoutMs: 15 * 60_000 },
];

const only = process.env.BENCH?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !BENCHES.some((b) => b.name === n)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `BENCH: unknown ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})\n`,
  );
  process.exit(2);
}
const selected = BENCHES.filter((b) => !only || only.includes(b.name));

const summary: string[] = [];
let failures = 0;
for (const bench of selected) {
  process.stderr.write(`\n=== ${bench.name} (bench/${bench.file}) ===\n`);
  const t0 = performance.now();
  const result = await runOne(bench);
  const took = fmtMs(performance.now() - t0);
  if (result !== 'ok') failures++;
  summary.push(`${bench.name.padEnd(13)} ${result.padEnd(24)} ${took}`);
}
process.stderr.write(`\n=== summary ===\n${summary.join('\n')}\n`);
process.exit(failures > 0 ? 1 : 0);

function runOne(bench: Bench): Promise<string> {
  const file = fileURLToPath(new URL(bench.file, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, bench.timeoutMs);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(`failed to start: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(`killed after ${fmtMs(bench.timeoutMs)}`);
      else if (code === 0) resolve('ok');
      else resolve(`failed (${code ?? signal})`);
    });
  });
}
