/**
 * Micro-benchmark of the line writer: 100k lines of 100 bytes, fed in 64 KiB chunks (what a
 * pipe delivers), without secrets, with 3 and with 30. Also compares ways to mask a line that
 * holds no secret (the common case): an indexOf per form, one combined RegExp replace, and what
 * SecretMasker does (a combined RegExp test, then indexOf only for lines that match).
 * `npx tsx bench/line-writer.bench.ts` (ROUNDS=N for more rounds). Not a test: no assertions.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LineWriter } from '../src/runtime/line-writer.js';
import { MASK, SecretMasker } from '../src/runtime/secret-masker.js';
import { median } from './stats.js';

const LINES = 100_000;
const CHUNK = 64 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const SECRETS = [
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'hunter2-is-not-a-password',
  'AKIAIOSFODNN7EXAMPLE',
];
const MANY = Array.from({ length: 30 }, () =>
  randomBytes(12 + Math.floor(Math.random() * 20)).toString('base64'),
);

// 99 bytes of varied text + newline, so every line differs a little, like real output.
const lines: string[] = [];
for (let i = 0; i < LINES; i++) lines.push(`${`[step ${i}] compiling module ${i % 977} `.padEnd(99, '.')}\n`);
const all = Buffer.from(lines.join(''));
const chunks: Buffer[] = [];
for (let i = 0; i < all.length; i += CHUNK) chunks.push(all.subarray(i, i + CHUNK));

function writerRate(secrets: string[]): number {
  let count = 0;
  const writer = new LineWriter({ masker: new SecretMasker(secrets), onLine: () => count++ });
  const t0 = performance.now();
  for (const chunk of chunks) writer.write('stdout', chunk);
  writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  if (count !== LINES) throw new Error(`expected ${LINES} lines, got ${count}`);
  return LINES / seconds;
}

function formsOf(secrets: string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    for (let k = 0; k < 3; k++) {
      const encoded = Buffer.concat([Buffer.alloc(k), Buffer.from(s)]).toString('base64');
      const run = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + s.length)) / 6));
      forms.add(run).add(run.replaceAll('+', '-').replaceAll('/', '_'));
    }
    forms.add(encodeURIComponent(s)).add(JSON.stringify(s).slice(1, -1));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Alternative 1: every form in one alternation, longest first. */
function regexMasker(secrets: string[]): (text: string) => string {
  const re = new RegExp(
    formsOf(secrets)
      .map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (text) => text.replace(re, MASK);
}

/** Alternative 2: an indexOf per form, replacing only when found. */
function indexOfMasker(secrets: string[]): (text: string) => string {
  const forms = formsOf(secrets);
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.replaceAll(form, MASK);
    return out;
  };
}

function maskRate(mask: (text: string) => string): number {
  const texts = lines.map((l) => l.slice(0, -1));
  const t0 = performance.now();
  let sink = 0;
  for (const text of texts) sink += mask(text).length;
  const seconds = (performance.now() - t0) / 1000;
  if (sink === 0) throw new Error('unreachable');
  return LINES / seconds;
}

const results: Record<string, number[]> = {
  'writer, no secrets': [],
  'writer, 3 secrets': [],
  'writer, 30 secrets': [],
  'mask, 3 secrets: SecretMasker': [],
  'mask, 3 secrets: indexOf per form': [],
  'mask, 3 secrets: RegExp replace': [],
};
const masker = new SecretMasker(SECRETS);
const viaRegex = regexMasker(SECRETS);
const viaIndexOf = indexOfMasker(SECRETS);
// Rounds interleave the variants so machine noise hits them alike; the first round warms the JIT.
for (let round = 0; round <= ROUNDS; round++) {
  const rates = [
    writerRate([]),
    writerRate(SECRETS),
    writerRate(MANY),
    maskRate((t) => masker.mask(t)),
    maskRate(viaIndexOf),
    maskRate(viaRegex),
  ];
  if (round === 0) continue;
  for (const [i, list] of Object.values(results).entries()) list.push(rates[i]!);
}

process.stdout.write(
  `line writer, ${LINES.toLocaleString('en')} lines × 100 B, median of ${ROUNDS} rounds\n`,
);
for (const [name, rates] of Object.entries(results)) {
  process.stdout.write(
    `  ${name.padEnd(36)} ${Math.round(median(rates)).toLocaleString('en').padStart(12)} lines/s\n`,
  );
}
