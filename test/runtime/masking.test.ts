import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK, SecretMasker, validateSecrets } from '../../src/runtime/secret-masker.js';

// Chosen so that its base64 holds both '+' and '/' at every alignment: the URL-safe form differs.
const SECRET = 'p@ss>>??~~word';

/**
 * The base64 characters that depend only on the secret, found by experiment rather than by the
 * masker's arithmetic: encode the blob with every surrounding byte all-zeros and all-ones; the
 * characters that never change are the secret's own.
 */
function secretOnlySpan(prefixLength: number, secret: string, suffixLength: number): [number, number] {
  const encodings: string[] = [];
  for (const before of [0x00, 0xff]) {
    for (const after of [0x00, 0xff]) {
      const blob = Buffer.concat([
        Buffer.alloc(prefixLength, before),
        Buffer.from(secret),
        Buffer.alloc(suffixLength, after),
      ]);
      encodings.push(blob.toString('base64'));
    }
  }
  const first = encodings[0]!;
  const stable = [...first].map((c, i) => encodings.every((e) => e[i] === c));
  const start = stable.indexOf(true, Math.floor((prefixLength * 8) / 6));
  let end = start;
  while (stable[end]) end++;
  return [start, end];
}

describe('validateSecrets', () => {
  it('refuses secrets shorter than 8 characters without revealing them', () => {
    const errors = validateSecrets({ API_TOKEN: 'abcde', OK_TOKEN: 'long-enough' });
    assert.deepEqual(errors, [
      'secret API_TOKEN is 5 characters; secrets shorter than 8 characters cannot be masked reliably and are refused',
    ]);
    assert.ok(!errors[0]!.includes('abcde'));
  });

  it('refuses control characters other than tab and line breaks, naming the secret only', () => {
    const errors = validateSecrets({
      NUL_TOKEN: 'abc\u0000defghijk',
      ESC_TOKEN: '\u001b]8;;https://x\u0007link-text',
      DEL_TOKEN: 'delete\u007fthis-one',
      PEM_KEY: '-----BEGIN-----\r\nMIIE\tvQIBADANBg\n-----END-----',
    });
    assert.equal(errors.length, 3);
    assert.match(errors[0]!, /^secret NUL_TOKEN contains the control character U\+0000;/);
    assert.match(errors[1]!, /^secret ESC_TOKEN contains the control character U\+001B;/);
    assert.match(errors[2]!, /^secret DEL_TOKEN contains the control character U\+007F;/);
    for (const piece of ['abc', 'defghijk', 'link-text', 'this-one'])
      assert.ok(!errors.join().includes(piece));
  });

  it('counts characters, not UTF-16 units', () => {
    assert.equal(validateSecrets({ EMOJI: '🔑🔑🔑🔑🔑🔑🔑' }).length, 1);
    assert.deepEqual(validateSecrets({ EMOJI: '🔑🔑🔑🔑🔑🔑🔑🔑' }), []);
  });
});

describe('SecretMasker', () => {
  it('returns its input untouched when there are no secrets', () => {
    const masker = new SecretMasker([]);
    const text = 'nothing to hide here';
    assert.equal(masker.mask(text), text);
    assert.equal(masker.maxLength, 0);
  });

  it('masks the plain value, every occurrence', () => {
    const masker = new SecretMasker([SECRET]);
    assert.equal(masker.mask(`a ${SECRET} b ${SECRET}`), `a ${MASK} b ${MASK}`);
    assert.equal(masker.mask('no secret'), 'no secret');
  });

  for (const encoding of ['base64', 'base64url'] as const) {
    for (let prefix = 0; prefix < 6; prefix++) {
      it(`masks ${encoding} with the secret at byte offset ${prefix % 3} (prefix of ${prefix})`, () => {
        const masker = new SecretMasker([SECRET]);
        const blob = Buffer.from(`${'x'.repeat(prefix)}${SECRET}yz`);
        const encoded = blob.toString(encoding);
        const [start, end] = secretOnlySpan(prefix, SECRET, 2);
        assert.ok(end - start >= 10);
        const masked = masker.mask(`data: ${encoded}`);
        assert.equal(masked, `data: ${encoded.slice(0, start)}${MASK}${encoded.slice(end)}`);
      });
    }
  }

  /** Characters of `secret`'s base64 (at the alignment of its offset) that depend on it alone. */
  function coreAt(prefixLength: number, secret: Buffer): string {
    const k = prefixLength % 3;
    const encoded = Buffer.concat([Buffer.alloc(k), secret]).toString('base64');
    return encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + secret.length)) / 6));
  }

  for (const width of [76, 64]) {
    it(`masks every line of a long secret's base64 wrapped at ${width} columns, at any offset`, () => {
      // 200 bytes: three full lines and pieces at either end, whatever the offset.
      const secret = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37 + 11) % 256)).toString(
        'latin1',
      );
      const bytes = Buffer.from(secret, 'utf8');
      const masker = new SecretMasker([secret]);
      for (let prefix = 0; prefix < width; prefix++) {
        const blob = Buffer.concat([Buffer.alloc(prefix, 0x41), bytes, Buffer.from('tail')]);
        const wrapped = blob.toString('base64').match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
        const core = coreAt(prefix, bytes);
        const masked = wrapped.map((line) => masker.mask(line));
        for (const line of masked) {
          // No piece of 11 characters (8 bytes' worth) of the secret's encoding survives.
          for (let i = 0; i + 11 <= line.length; i++) {
            assert.ok(!core.includes(line.slice(i, i + 11)), `prefix ${prefix}: ${line}`);
          }
        }
        assert.ok(
          masked.filter((line) => line === MASK).length >= 2,
          `full lines masked whole (prefix ${prefix})`,
        );
      }
    });
  }

  it('leaves pieces of wrapped base64 too short to carry 8 bytes of the secret', () => {
    const secret = 'correct-horse-battery-staple-0123456789';
    const masker = new SecretMasker([secret]);
    const core = coreAt(0, Buffer.from(secret));
    // 10 characters carry 60 bits: less than the 8 bytes below which a secret is refused.
    assert.equal(masker.mask(core.slice(0, 10)), core.slice(0, 10));
    assert.equal(masker.mask(`${core.slice(0, 11)}`), MASK);
    assert.equal(masker.mask(`x ${core.slice(-11)}`), `x ${MASK}`);
  });

  it('the URL-safe form really differs from the standard one', () => {
    const plain = Buffer.from(SECRET).toString('base64');
    assert.match(plain, /[+/]/);
  });

  it('masks the URL-encoded form', () => {
    const secret = 'pa ss&word=42/ok';
    const masker = new SecretMasker([secret]);
    const url = `https://example.com/?token=${encodeURIComponent(secret)}&x=1`;
    const masked = masker.mask(url);
    assert.equal(masked, `https://example.com/?token=${MASK}&x=1`);
  });

  it('masks the JSON-escaped form and each long line of a multi-line secret', () => {
    const secret = 'he said "hi" \\ first-line\nsecond-line-here\nshort';
    const masker = new SecretMasker([secret]);
    const json = JSON.stringify({ key: secret });
    assert.equal(masker.mask(json), `{"key":"${MASK}"}`);
    assert.equal(masker.mask('second-line-here'), MASK);
    assert.equal(masker.mask('he said "hi" \\ first-line'), MASK);
    // Lines shorter than 8 characters are too common to mask on their own.
    assert.equal(masker.mask('short'), 'short');
  });

  it('masks the escaped forms engines and encoders print: Go %q, JSON \\u, Python \\x', () => {
    const secret = 'abc\u0000def\u001bghi"jk\\lm\u00e9\u0085<no>';
    const masker = new SecretMasker([secret]);
    const forms = {
      // What the Docker engine printed for a NUL in an environment value (Go's strconv.Quote).
      go: 'abc\\x00def\\x1bghi\\"jk\\\\lm\u00e9\\u0085<no>',
      json: JSON.stringify(secret).slice(1, -1),
      pythonJson: 'abc\\u0000def\\u001bghi\\"jk\\\\lm\\u00e9\\u0085<no>',
      goJson: 'abc\\u0000def\\u001bghi\\"jk\\\\lm\u00e9\u0085\\u003cno\\u003e',
      python: 'abc\\x00def\\x1bghi"jk\\\\lm\u00e9\\x85<no>',
    };
    for (const [name, form] of Object.entries(forms)) {
      assert.equal(masker.mask(`invalid env "T=${form}": unknown`), `invalid env "T=${MASK}": unknown`, name);
    }
    assert.equal(masker.maskText(`first ${forms.go}\nsecond ${forms.json}`), `first ${MASK}\nsecond ${MASK}`);
  });

  it('masks CRLF multi-line secrets line by line', () => {
    const masker = new SecretMasker(['-----BEGIN KEY-----\r\nMIIEvQIBADANBg\r\n-----END KEY-----']);
    assert.equal(masker.mask('MIIEvQIBADANBg'), MASK);
    assert.equal(masker.mask('-----END KEY-----'), MASK);
  });

  it('leaves no fragment between overlapping secrets', () => {
    const masker = new SecretMasker(['abcdefgh12', '12345678xy']);
    assert.equal(masker.mask('<abcdefgh12345678xy>'), `<${MASK}>`);
  });

  it('masks overlapping occurrences of a periodic secret as one', () => {
    const masker = new SecretMasker(['abababab']);
    assert.equal(masker.mask('-ababababababab-'), `-${MASK}-`);
    // Touching but not overlapping occurrences stay separate masks.
    assert.equal(masker.mask('abababab|abababab'), `${MASK}|${MASK}`);
  });

  it('reports the longest form as maxLength', () => {
    const masker = new SecretMasker([SECRET, 'a"b"c"d"e"']);
    const forms = [
      SECRET,
      Buffer.from(SECRET).toString('base64').replace(/=+$/, ''),
      encodeURIComponent(SECRET),
      JSON.stringify('a"b"c"d"e"').slice(1, -1),
    ];
    assert.equal(masker.maxLength, Math.max(...forms.map((f) => f.length)));
  });

  describe('cut', () => {
    const masker = new SecretMasker(['0123456789']);

    it('keeps the wanted break when no secret crosses it', () => {
      assert.deepEqual(masker.cut('aaaa0123456789bbbb', 15), {
        at: 15,
        head: `aaaa${MASK}b`,
        hiddenAfter: 0,
      });
    });

    it('moves the break to the start of a secret crossing it', () => {
      assert.deepEqual(masker.cut('aaaa0123456789bbbb', 8), { at: 4, head: 'aaaa', hiddenAfter: 0 });
    });

    it('hides the rest of a secret that starts the text instead of making no progress', () => {
      const cut = masker.cut('0123456789bbbb', 4);
      assert.deepEqual(cut, { at: 4, head: MASK, hiddenAfter: 6 });
      assert.equal(masker.mask('456789bbbb', cut.hiddenAfter), `${MASK}bbbb`);
    });
  });
});
