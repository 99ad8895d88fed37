/**
 * Zod issues → diagnostics a person can act on: located in the YAML, worded in the terms of the
 * file ("job "test"", "a list") rather than of the validator ("record", "array"), with a
 * "did you mean" for misspelt keys.
 */
import { z } from 'zod';
import type { Diagnostic } from './diagnostic.js';
import { type ConfigPath, formatPath, type Locator, type PathSegment } from './locate.js';
import { configSchema } from './schema.js';
import { suggest } from './suggest.js';

type Issue = z.core.$ZodIssue;

/** An issue at its absolute path; unions already resolved to what the author meant. */
interface Leaf {
  issue: Issue;
  path: PathSegment[];
  /** For a type mismatch against a union: every type the union would have taken. */
  expected?: string[];
}

export function schemaDiagnostics(
  issues: readonly Issue[],
  input: unknown,
  locate: Locator,
  file: string,
): Diagnostic[] {
  const leaves = issues.flatMap((issue) => flatten(issue, []));
  const out: Array<Diagnostic & { suggested?: string }> = [];
  const make = (code: string, message: string, path: ConfigPath, target: 'key' | 'value', located = path) => {
    const { line, col, file: at = file } = locate(located, target);
    return { code, message, severity: 'error' as const, file: at, line, col, path: formatPath(path) };
  };

  for (const { issue, path, expected } of leaves) {
    const value = valueAt(input, path);
    const parent = path.slice(0, -1);
    const last = path.at(-1);
    if (last !== undefined && value === undefined && isMissing(input, parent, last)) {
      out.push(make('missing-key', `missing key "${last}" ${where(parent, input)}`, path, 'key', parent));
      continue;
    }
    const subject = describe(path, input);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeys(path);
        for (const key of issue.keys) {
          const guess = suggest(key, allowed);
          const hint = guess ? `; did you mean "${guess}"?` : `; expected one of: ${allowed.join(', ')}`;
          const d = make(
            'unknown-key',
            `unknown key "${key}" ${where(path, input)}${hint}`,
            [...path, key],
            'key',
          );
          out.push(guess ? { ...d, suggested: formatPath([...path, guess]) } : d);
        }
        break;
      }
      case 'invalid_union':
      case 'invalid_type': {
        const words = joinOr(unique((expected ?? [issueExpected(issue)]).map(expectedWords)));
        const message =
          value === null
            ? `${subject} is empty; expected ${words}`
            : `${subject} must be ${words}, not ${describeValue(value)}`;
        out.push(make('invalid-type', message, path, 'value'));
        break;
      }
      case 'invalid_value': {
        const options = issue.values.map((v) => JSON.stringify(v));
        const want = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
        const guess =
          typeof value === 'string'
            ? suggest(
                value,
                issue.values.filter((v) => typeof v === 'string'),
              )
            : null;
        const hint = guess ? `; did you mean "${guess}"?` : '';
        out.push(
          make(
            'invalid-value',
            `${subject} must be ${want}, not ${describeValue(value)}${hint}`,
            path,
            'value',
          ),
        );
        break;
      }
      case 'invalid_format': {
        const rule = issue.message.startsWith('must') ? issue.message : `must be a valid ${issue.format}`;
        out.push(make('invalid-value', `${subject} ${rule}, not ${describeValue(value)}`, path, 'value'));
        break;
      }
      case 'too_small':
      case 'too_big': {
        out.push(make('invalid-value', `${subject} ${sizeRule(issue)}`, path, 'value'));
        break;
      }
      case 'invalid_key': {
        const noun = kindNoun(kindAt(path));
        const reason = issue.issues[0]?.message ?? issue.message;
        out.push(
          make('invalid-name', `invalid ${noun} ${JSON.stringify(String(last))}: ${reason}`, path, 'key'),
        );
        break;
      }
      default:
        out.push(make('invalid-value', `${subject}: ${issue.message}`, path, 'value'));
    }
  }

  // `imag:` is reported as unknown with a hint to `image`; saying `image` is missing as well
  // would be one mistake told twice.
  const hinted = new Set(out.flatMap((d) => (d.suggested ? [d.suggested] : [])));
  return out
    .filter((d) => !(d.code === 'missing-key' && hinted.has(d.path)))
    .map(({ suggested: _, ...d }) => d);
}

/**
 * Unions fail with one list of issues per option. The option the author meant is the one that
 * got past the type check (its issues are about the inside of the value); when none did, the
 * honest message is "expected any of these types".
 */
function flatten(issue: Issue, base: readonly PathSegment[]): Leaf[] {
  const path = [...base, ...issue.path.map((s) => (typeof s === 'number' ? s : String(s)))];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ issue, path }];
  const options = issue.errors.map((errors) => errors.flatMap((e) => flatten(e, path)));
  const isTypeMismatch = (leaf: Leaf) =>
    (leaf.issue.code === 'invalid_type' || leaf.expected !== undefined) && leaf.path.length === path.length;
  const matched = options.filter((leaves) => !leaves.every(isTypeMismatch));
  if (matched.length === 0) {
    const expected = options.flat().flatMap((leaf) => leaf.expected ?? [issueExpected(leaf.issue)]);
    return [{ issue, path, expected }];
  }
  return matched.reduce((best, leaves) => (leaves.length < best.length ? leaves : best));
}

function issueExpected(issue: Issue): string {
  return issue.code === 'invalid_type' ? issue.expected : 'unknown';
}

/** The keys a mapping at `path` may hold, read from the zod object shapes found there. */
function allowedKeys(path: ConfigPath): string[] {
  let candidates = expand(configSchema);
  for (const segment of path) {
    candidates = candidates.flatMap((schema): z.ZodType[] => {
      if (schema instanceof z.ZodObject && typeof segment === 'string') {
        const field = schema.shape[segment];
        return field ? expand(field as z.ZodType) : [];
      }
      if (schema instanceof z.ZodRecord) return expand(schema.valueType as z.ZodType);
      if (schema instanceof z.ZodArray && typeof segment === 'number')
        return expand(schema.element as z.ZodType);
      return [];
    });
  }
  return unique(candidates.flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape) : [])));
}

function expand(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional) return expand(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(expand);
  return [schema];
}

/** What a node is, by its place in the file; it decides how messages name it. */
type Kind =
  | 'root'
  | 'stages'
  | 'stage'
  | 'jobs'
  | 'job'
  | 'services'
  | 'service'
  | 'env'
  | 'variable'
  | 'other';

function childKind(kind: Kind, segment: PathSegment): Kind {
  switch (kind) {
    case 'root':
      return segment === 'stages' ? 'stages' : segment === 'env' ? 'env' : 'other';
    case 'stages':
      return typeof segment === 'number' ? 'stage' : 'other';
    case 'stage':
      return segment === 'jobs' ? 'jobs' : 'other';
    case 'jobs':
      return 'job';
    case 'job':
      return segment === 'services' ? 'services' : segment === 'env' ? 'env' : 'other';
    case 'services':
      return 'service';
    case 'service':
      return segment === 'env' ? 'env' : 'other';
    case 'env':
      return 'variable';
    default:
      return 'other';
  }
}

function kindAt(path: ConfigPath): Kind {
  return path.reduce<Kind>(childKind, 'root');
}

function kindNoun(kind: Kind): string {
  return kind === 'job' || kind === 'service' || kind === 'stage'
    ? `${kind} name`
    : kind === 'variable'
      ? 'variable name'
      : 'key';
}

/** A noun phrase for the node at `path`: `job "test"`, `item 2 of "script" of job "test"`. */
function describe(path: ConfigPath, input: unknown): string {
  if (path.length === 0) return 'the file';
  const last = path.at(-1)!;
  const parent = path.slice(0, -1);
  switch (kindAt(path)) {
    case 'stage': {
      const name = valueAt(input, [...path, 'name']);
      return typeof name === 'string' ? `stage "${name}"` : `stage #${Number(last) + 1}`;
    }
    case 'job':
    case 'service':
    case 'variable':
      return `${kindAt(path)} "${last}"`;
    default:
      if (typeof last === 'number') return `item ${last + 1} of ${describe(parent, input)}`;
      return parent.length === 0 ? `"${last}"` : `"${last}" of ${describe(parent, input)}`;
  }
}

function where(path: ConfigPath, input: unknown): string {
  return path.length === 0 ? 'at the top level' : `in ${describe(path, input)}`;
}

function valueAt(input: unknown, path: ConfigPath): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

function isMissing(input: unknown, parentPath: ConfigPath, key: PathSegment): boolean {
  const parent = valueAt(input, parentPath);
  return (
    parent !== null && typeof parent === 'object' && !Array.isArray(parent) && !Object.hasOwn(parent, key)
  );
}

function expectedWords(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : 'a long string';
  return String(value);
}

function sizeRule(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  if (small && bound === 1 && (issue.origin === 'array' || issue.origin === 'string'))
    return 'must not be empty';
  const unit = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
  return `must have at ${small ? 'least' : 'most'} ${bound} ${unit}`.trimEnd();
}

function joinOr(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? 'something else';
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
