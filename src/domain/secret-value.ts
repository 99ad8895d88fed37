/**
 * What a secret value may be, checked at every door a secret comes through (the API, the CLI's
 * `--secret`/`--secret-file`, and the runtime itself for values stored before these rules).
 * Messages name the problem, never the value: the caller prefixes the secret's name.
 */

/** Below this a value is too likely to occur by chance, and masking it would shred the logs. */
export const MIN_SECRET_LENGTH = 8;

/**
 * Control characters other than tab, newline and carriage return (which multi-line keys need).
 * A NUL cannot be passed in an environment at all: the engine refuses it and quotes the value,
 * escaped, in its error. The others are escaped by whatever prints them (JSON, Go's %q, shells),
 * so the printed form would differ from the value the masker knows. C1 controls likewise.
 */
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Why `value` cannot be a secret (a phrase to follow the secret's name), or null when it can. */
export function secretValueProblem(value: string): string | null {
  const control = FORBIDDEN_CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return (
      `contains the control character U+${code}; secret values may hold printable text, tabs ` +
      'and line breaks only (an escaped control character would print the value in a form ' +
      'that cannot be masked reliably)'
    );
  }
  const length = [...value].length;
  if (length < MIN_SECRET_LENGTH) {
    return (
      `is ${length} characters; secrets shorter than ${MIN_SECRET_LENGTH} characters ` +
      'cannot be masked reliably and are refused'
    );
  }
  return null;
}
