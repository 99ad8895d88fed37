/**
 * Property tests of masking (issue #9 item 25): random secrets, printed in each encoding the
 * masker promises to hide, split into random writes (so a secret may straddle any chunk
 * boundary, even the middle of a UTF-8 character), through the real LineWriter — the visible
 * output never holds the secret's printed form. Long lines are sometimes force-broken too.
 *
 * The oracles are written from the encodings' definitions, not from the masker's code: a
 * base64 "core" is found by encoding the secret at its alignment, and a wrapped base64 leak is
 * any piece of 11 characters (8 bytes' worth, the bound below which secrets are refused) of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LineWriter } from '../../src/runtime/line-writer.js';
import { SecretMasker } from '../../src/runtime/secret-masker.js';

const NUM_RUNS = 250;
const PIECE = 11;

/** Printable ASCII mostly; characters that encodings change; a few controls and non-ASCII. */
const secretChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('"', '\\', '/', '+', '&', '=', ' ', '%', '<', '>', '\t', 'é', '日', '🔑'),
  },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085') },
);
// No line breaks (a multi-line secret is masked line by line, tested apart) and no "*" (the
// mask itself would then look like part of the secret).
const secretArb = fc
  .array(secretChar, { minLength: 8, maxLength: 90 })
  .map((chars) => chars.join(''))
  .filter((s) => !/[\r\n*]/.test(s));
const filler = fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => s.replaceAll('*', '.'));

type Encoding =
  | { kind: 'plain' | 'url' | 'json' | 'go' }
  | { kind: 'base64'; url: boolean; prefix: Uint8Array; suffix: Uint8Array; wrap: 0 | 64 | 76 };

const encodingArb: fc.Arbitrary<Encoding> = fc.oneof(
  fc.constantFrom<Encoding>({ kind: 'plain' }, { kind: 'url' }, { kind: 'json' }, { kind: 'go' }),
  fc.record({
    kind: fc.constant('base64' as const),
    url: fc.boolean(),
    // Up to 80 bytes before: every alignment, and every column at which a wrapped line starts.
    prefix: fc.uint8Array({ maxLength: 80 }),
    suffix: fc.uint8Array({ maxLength: 5 }),
    wrap: fc.constantFrom(0 as const, 64 as const, 76 as const),
  }),
);

/** Go's strconv.Quote without quotes, from its documentation. */
function goQuote(value: string): string {
  const named: Record<string, string> = { '\u0007': '\\a', '\t': '\\t', '\\': '\\\\', '"': '\\"' };
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0) as number;
    if (named[c]) out += named[c];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

function base64(bytes: Buffer, url: boolean): string {
  const text = bytes.toString('base64');
  return url ? text.replaceAll('+', '-').replaceAll('/', '_') : text;
}

/** The characters of the secret's encoding that no neighbouring byte influences. */
function coreOf(secret: Buffer, k: number, url: boolean): string {
  const encoded = base64(Buffer.concat([Buffer.alloc(k), secret]), url);
  return encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + secret.length)) / 6));
}

/** What the job prints, and a check of the visible lines that fails on a leak. */
function printed(secret: string, enc: Encoding, before: string, after: string) {
  if (enc.kind !== 'base64') {
    const form =
      enc.kind === 'plain'
        ? secret
        : enc.kind === 'url'
          ? encodeURIComponent(secret)
          : enc.kind === 'json'
            ? JSON.stringify(secret).slice(1, -1)
            : goQuote(secret);
    return {
      text: `${before}${form}${after}\n`,
      leak: (lines: string[]) => (lines.join('\n').includes(form) ? `the ${enc.kind} form` : null),
    };
  }
  const bytes = Buffer.from(secret, 'utf8');
  const blob = Buffer.concat([enc.prefix, bytes, enc.suffix]);
  let encoded = base64(blob, enc.url);
  if (enc.wrap > 0) encoded = (encoded.match(new RegExp(`.{1,${enc.wrap}}`, 'g')) ?? []).join('\n');
  const core = coreOf(bytes, enc.prefix.length % 3, enc.url);
  return {
    text: `${before}${encoded}${after}\n`,
    leak: (lines: string[]) => {
      for (const line of lines) {
        if (core.length > 0 && line.includes(core)) return `the whole base64 core in ${line}`;
        for (let i = 0; i + PIECE <= line.length; i++) {
          if (core.includes(line.slice(i, i + PIECE))) return `a piece of the base64 in ${line}`;
        }
      }
      return null;
    },
  };
}

/** Splits `bytes` at the given (sorted, deduplicated) fractions of its length. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of points) {
    if (at > from) chunks.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

describe('masking properties', () => {
  it('no encoding of a random secret, split across random writes, leaks', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.array(secretArb, { maxLength: 2 }),
        encodingArb,
        filler,
        filler,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
        fc.constantFrom('stdout' as const, 'stderr' as const),
        fc.option(fc.integer({ min: 16, max: 300 }), { nil: undefined }),
        (secret, others, enc, before, after, cuts, stream, maxLineBytes) => {
          const masker = new SecretMasker([...others, secret]);
          const lines: string[] = [];
          const writer = new LineWriter({
            masker,
            onLine: (line) => lines.push(line.text),
            ...(maxLineBytes !== undefined ? { maxLineBytes } : {}),
          });
          const { text, leak } = printed(secret, enc, before, after);
          for (const chunk of chunked(Buffer.from(text, 'utf8'), cuts)) writer.write(stream, chunk);
          writer.flush();
          const found = leak(lines);
          assert.equal(found, null, `${found}\nsecret ${JSON.stringify(secret)}\n${lines.join('\n')}`);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('a secret repeated back to back across writes never shows a piece long enough to matter', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
        fc.integer({ min: 16, max: 120 }),
        (secret, times, cuts, maxLineBytes) => {
          const masker = new SecretMasker([secret]);
          const lines: string[] = [];
          const writer = new LineWriter({ masker, onLine: (l) => lines.push(l.text), maxLineBytes });
          const text = `${secret.repeat(times)}\n`;
          for (const chunk of chunked(Buffer.from(text, 'utf8'), cuts)) writer.write('stdout', chunk);
          writer.flush();
          assert.ok(!lines.join('\n').includes(secret), `${JSON.stringify(secret)}\n${lines.join('\n')}`);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
