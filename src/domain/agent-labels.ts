/**
 * Agent labels: `key=value` pairs an agent declares (`slipway agent --label pool=build`) and a
 * run requires (`runs_on:` in the pipeline, `runsOn` of an environment). An agent may take a run
 * only when it has every required pair. A requirement is a list of pairs rather than a map so
 * that two sources asking for different values of one key (a job's `pool: build`, the
 * environment's `pool: production`) stay visible as an unsatisfiable requirement instead of one
 * silently overwriting the other.
 */

/** Keys: like a DNS label piece, plus `.`, `_` and `/` for namespacing (`team/gpu`). */
export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,62}$/;
/** Values: no `=` or `,`, so `k=v,k2=v2` lists parse without quoting. */
export const LABEL_VALUE = /^[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,62}$/;
/** Most labels one agent may declare (each is a row the lease query compares). */
export const MAX_LABELS = 50;

export type Labels = Record<string, string>;

/** One required pair, as stored and compared: `key=value`. */
export type LabelPair = string;

export function labelPair(key: string, value: string): LabelPair {
  return `${key}=${value}`;
}

/** Parses one `key=value`; returns why not when it is not one. */
export function parseLabel(text: string): { key: string; value: string } | { problem: string } {
  const at = text.indexOf('=');
  if (at <= 0) return { problem: `"${text}" is not key=value` };
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 1).trim();
  if (!LABEL_KEY.test(key))
    return { problem: `label key "${key}" must be letters, digits, _ . / - (at most 63)` };
  if (!LABEL_VALUE.test(value))
    return { problem: `label value "${value}" of ${key} must be letters, digits, _ . / - (at most 63)` };
  return { key, value };
}

/** Parses `k=v,k2=v2` (empty text = no labels); a later value of one key replaces the earlier. */
export function parseLabelList(items: readonly string[]): { labels: Labels } | { problem: string } {
  const labels: Labels = {};
  for (const item of items) {
    if (item.trim() === '') continue;
    const parsed = parseLabel(item);
    if ('problem' in parsed) return parsed;
    labels[parsed.key] = parsed.value;
  }
  if (Object.keys(labels).length > MAX_LABELS) return { problem: `at most ${MAX_LABELS} labels` };
  return { labels };
}

/** The pairs of a label map, sorted so equal maps give equal lists. */
export function pairsOf(labels: Labels): LabelPair[] {
  return Object.entries(labels)
    .map(([k, v]) => labelPair(k, v))
    .sort();
}

/** The union of several requirements, each pair once, sorted. */
export function unionPairs(...lists: readonly (readonly LabelPair[])[]): LabelPair[] {
  return [...new Set(lists.flat())].sort();
}

/** The required pairs an agent with these labels lacks (empty = it may take the run). */
export function missingPairs(required: readonly LabelPair[], agent: Labels): LabelPair[] {
  const have = new Set(pairsOf(agent));
  return required.filter((pair) => !have.has(pair));
}

/** Keys required with two or more different values: no agent can ever satisfy those. */
export function conflictingKeys(required: readonly LabelPair[]): string[] {
  const seen = new Map<string, string>();
  const out = new Set<string>();
  for (const pair of required) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, value);
    else if (first !== value) out.add(key);
  }
  return [...out];
}
