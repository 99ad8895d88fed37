/**
 * What the raw-text YAML budgets and the off-thread parse buy (issue #9 item 10).
 * `npx tsx bench/yaml-budgets.bench.ts` (ROUNDS=N for more rounds). Not a test: no assertions.
 *
 *  1. Refusing hostile text: the library's tokenizer + CST (what ran before the raw scan could
 *     refuse) vs parseYaml now, interleaved, medians; ratio.
 *  2. The event loop while a large valid config (~600 kB) is loaded: the longest stall seen by
 *     a 1 ms timer, inline loadConfig vs ConfigLoader (worker thread).
 */
import { performance } from 'node:perf_hooks';
import { Parser } from 'yaml';
import { loadConfig } from '../src/pipeline/config/load-config.js';
import { parseYaml } from '../src/pipeline/config/parse-yaml.js';
import { ConfigLoader } from '../src/server/runs/config-loader.js';
import { fmtMs, median } from './stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const MB = 1024 * 1024;

const HOSTILE: [string, string][] = [
  ['1 MiB of `[`', '['.repeat(MB - 1)],
  ['1 MiB of `- `', '- '.repeat(MB / 2 - 1)],
  ['1 MiB of `{a: `', '{a: '.repeat(MB / 4 - 1)],
  ['1 MiB of `- !x a` lines', '- !x a\n'.repeat(MB / 7 - 1)],
];

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

console.log('## YAML budgets\n');
console.log(`### Refusing hostile text (median of ${ROUNDS} interleaved rounds)\n`);
console.log('| input | tokenizer + CST (before) | parseYaml (now) | ratio |');
console.log('|---|---|---|---|');
for (const [name, text] of HOSTILE) {
  const before: number[] = [];
  const now: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    before.push(time(() => Array.from(new Parser().parse(text))));
    now.push(time(() => parseYaml(text, 'bench.yml')));
  }
  const b = median(before);
  const n = median(now);
  console.log(`| ${name} | ${fmtMs(b)} | ${fmtMs(n)} | ${(b / Math.max(n, 0.01)).toFixed(0)}× |`);
}

// A large valid config: 1 000 jobs with twenty script lines each.
const big = `version: 1\nimage: busybox\nstages:\n  - name: s\n    jobs:\n${Array.from(
  { length: 1000 },
  (_, i) => `      j${i}:\n        script:\n${'          - echo hello world\n'.repeat(20)}`,
).join('')}`;

/** The longest gap between ticks of a 1 ms timer while `load` runs (a synchronous parse is one gap). */
async function longestStall(load: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  longest = 0;
  last = performance.now();
  await load();
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  return longest;
}

const loader = new ConfigLoader();
await loader.load(big, 'warm-up.yml');
const inline: number[] = [];
const worker: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  inline.push(await longestStall(async () => loadConfig(big, 'bench.yml')));
  worker.push(await longestStall(() => loader.load(big, 'bench.yml')));
}
await loader.close();
console.log(`\n### Longest event-loop stall while loading a ${(big.length / 1024).toFixed(0)} kB config\n`);
console.log('| inline loadConfig | ConfigLoader (worker) | ratio |');
console.log('|---|---|---|');
const i = median(inline);
const w = median(worker);
console.log(`| ${fmtMs(i)} | ${fmtMs(w)} | ${(i / Math.max(w, 0.01)).toFixed(0)}× |`);
