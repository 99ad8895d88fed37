import { invalid } from '../errors.js';

/**
 * The payload of an already-verified webhook body. JSON as such, or GitHub's form encoding
 * (`payload=<url-encoded JSON>`). Malformed input is a 400 that says what is wrong, never a 500.
 */
export function parseHookBody(raw: Buffer, contentType: string | undefined): unknown {
  let text = raw.toString('utf8');
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw invalid('body', 'the form body has no payload field');
    text = payload;
  }
  if (text.trim().length === 0) throw invalid('body', 'the webhook body is empty; expected JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid('body', `the webhook body is not valid JSON (${(error as Error).message})`);
  }
}
