/**
 * `$VAR` / `${VAR}` expansion in the places of a pipeline the shell never sees: `image`,
 * `services`, `build` (tags, args, image, context), variable values, cache keys and artifact
 * paths. The caller decides which variables are visible — the standard ones and the pipeline's
 * and job's own `variables` — and never passes secrets: a secret expanded into an image name
 * would end up in logs, labels and the UI (security.md: secrets are never expanded server-side).
 *
 * Rules, close to GitLab's:
 * - `$NAME` takes the longest shell-variable name; `${NAME}` is the same with explicit bounds.
 * - `$$` is a literal `$` (how to write one before a name).
 * - A name that is not visible stays as written, so a `$HOME` meant for a later reader is not
 *   silently emptied; the linter warns about such names (variable-check.ts).
 * - One pass, no recursion: an expanded value is not expanded again.
 */

const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export type Variables = Readonly<Record<string, string>>;

/** `text` with every reference to a visible variable replaced by its value. */
export function expandVariables(text: string, vars: Variables): string {
  if (!text.includes('$')) return text;
  return text.replace(REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare;
    if (name === undefined) return '$';
    return Object.hasOwn(vars, name) ? (vars[name] as string) : whole;
  });
}

/** One variable reference in a text: its name and where it starts. */
export interface VariableReference {
  name: string;
  index: number;
}

/** The references in `text` (not `$$`), in order; what the linter checks against known names. */
export function variableReferences(text: string): VariableReference[] {
  const out: VariableReference[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1] ?? match[2];
    if (name !== undefined) out.push({ name, index: match.index });
  }
  return out;
}

/**
 * A map of variables whose values may name standard variables or each other (`TAG:
 * $CI_COMMIT_SHORT_SHA`, `IMAGE: $CI_REGISTRY_IMAGE:$TAG`): each value expanded against `base`
 * and the other entries, themselves expanded first. A cycle (`A: $B`, `B: $A`) leaves the
 * reference that closes it as written; each entry is expanded once, so the work stays linear.
 */
export function expandVariableMap(own: Variables, base: Variables): Record<string, string> {
  const done = new Map<string, string>();
  const inProgress = new Set<string>();
  const resolve = (name: string): string => {
    const ready = done.get(name);
    if (ready !== undefined) return ready;
    inProgress.add(name);
    const visible: Record<string, string> = { ...base };
    for (const ref of variableReferences(own[name]!)) {
      if (ref.name === name || !Object.hasOwn(own, ref.name)) continue;
      if (!inProgress.has(ref.name)) visible[ref.name] = resolve(ref.name);
      else delete visible[ref.name];
    }
    const value = expandVariables(own[name]!, visible);
    inProgress.delete(name);
    done.set(name, value);
    return value;
  };
  return Object.fromEntries(Object.keys(own).map((name) => [name, resolve(name)]));
}
