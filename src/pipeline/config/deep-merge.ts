/**
 * GitLab's merge of `extends:`, `default:` and included files: mappings merge key by key
 * (recursively), lists and plain values replace. Works on the plain values parsed from YAML, which
 * are untrusted: keys are set as own properties, so a key spelt `__proto__` stays a key.
 */

export type PlainMap = Record<string, unknown>;

export function isPlainMap(value: unknown): value is PlainMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Sets `key` as an own, enumerable property, whatever its name. */
export function setOwn(target: PlainMap, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `over` merged onto `base`; neither is changed. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainMap(base) || !isPlainMap(over)) return over === undefined ? base : over;
  const out: PlainMap = {};
  for (const [key, value] of Object.entries(base)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(over)) {
    setOwn(out, key, Object.hasOwn(base, key) ? deepMerge(base[key], value) : value);
  }
  return out;
}

/** A copy of `map` without `keys`. */
export function omitKeys(map: PlainMap, keys: readonly string[]): PlainMap {
  const out: PlainMap = {};
  for (const [key, value] of Object.entries(map)) if (!keys.includes(key)) setOwn(out, key, value);
  return out;
}
