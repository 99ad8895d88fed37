/**
 * The shapes a secret value takes when a job (or a tool reporting an error about it) prints it:
 * the value itself, base64 at each alignment, URL encoding, the escapes of JSON encoders, Go's
 * `%q` (what the Docker engine uses to quote a value in an error), Python-style `\x` escapes,
 * and the lines of a multi-line value. Each form is masked as a whole; pieces of wrapped base64
 * are the job of `Base64Fragments`.
 */
import { MIN_SECRET_LENGTH } from '../domain/secret-value.js';

/** Every form of `value`, non-empty, possibly with duplicates. */
export function formsOf(value: string): string[] {
  if (value.length === 0) return [];
  const forms = [value];
  for (const core of base64Cores(Buffer.from(value, 'utf8'))) forms.push(core, toBase64Url(core));
  try {
    forms.push(encodeURIComponent(value));
  } catch {
    // A lone surrogate cannot be URI-encoded, so that form cannot appear in logs either.
  }
  forms.push(...escapedForms(value));
  // A multi-line secret never shows whole on one log line, but its lines do.
  const lines = value.split(/\r?\n/);
  if (lines.length > 1) {
    for (const line of lines) if (line.length >= MIN_SECRET_LENGTH) forms.push(line);
  }
  return forms.filter((f) => f.length > 0);
}

/**
 * The base64 characters that depend only on the secret's bytes, for the secret starting at byte
 * offset 0, 1 and 2 of a 3-byte group inside a larger encoded blob. Character i encodes bits
 * [6i, 6i+6); with `k` unknown bytes before the secret, the characters wholly inside the
 * secret's bits [8k, 8k + 8n) are those from ceil(8k/6) to floor(8(k+n)/6).
 */
export function base64Cores(secret: Buffer): string[] {
  const runs: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), secret]).toString('base64');
    const first = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + secret.length)) / 6);
    if (end > first) runs.push(encoded.slice(first, end));
  }
  return runs;
}

export function toBase64Url(base64: string): string {
  return base64.replaceAll('+', '-').replaceAll('/', '_');
}

/**
 * The value inside a string literal, as common encoders write it. Identical to the value for
 * plain text; they differ once it holds quotes, backslashes, control or non-ASCII characters.
 */
function escapedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  // Python's json.dumps (ensure_ascii) and PHP's json_encode: non-ASCII as \uXXXX; PHP also
  // writes "/" as "\/". Go's encoding/json: <, > and & as \u003c, \u003e, \u0026.
  const asciiJson = json.replace(/[^\x00-\x7f]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
  const goJson = json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
  return [json, asciiJson, asciiJson.replaceAll('/', '\\/'), goJson, goQuoted(value), pythonEscaped(value)];
}

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go's strconv.Quote without the quotes: how the Docker engine quotes a value in an error. */
function goQuoted(value: string): string {
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0) as number;
    const named = GO_ESCAPES[c];
    if (named !== undefined) out += named;
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code >= 0x80 && code <= 0x9f) out += `\\u${hex(code, 4)}`;
    else out += c;
  }
  return out;
}

/** Python's repr (and many C-like printers): \t \n \r named, other controls as \xNN. */
function pythonEscaped(value: string): string {
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0) as number;
    if (c === '\\') out += '\\\\';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${hex(code, 2)}`;
    else out += c;
  }
  return out;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
