/**
 * How an area of the UI declares its texts. `defineMessages` takes English and Simplified
 * Chinese side by side and makes the compiler hold them to the same keys: a key missing from
 * zh-CN, or one zh-CN has and English has not, is a type error naming the key. The keys it
 * declares become part of `MessageKey` once the module is listed in catalog.ts.
 *
 * This file imports nothing at run time, so messages modules can sit anywhere (even next to
 * code the catalogue must not pull in) without import cycles.
 */
export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

/**
 * One area's texts: English as written (its literal texts give `t` the placeholders each key
 * needs) and Chinese with exactly the same keys.
 */
export interface MessageModule<E extends Readonly<Record<string, string>>> {
  readonly en: E;
  readonly 'zh-CN': Readonly<Record<keyof E, string>>;
}

/**
 * Declares keys once, in both languages. E is inferred from `en` only (NoInfer on zh-CN), so
 * zh-CN is checked against English rather than widening the key set.
 */
export function defineMessages<const E extends Readonly<Record<string, string>>>(messages: {
  en: E;
  'zh-CN': NoInfer<Record<keyof E, string>>;
}): MessageModule<E> {
  return messages;
}

/**
 * Sentences looked up by a code the server (or the shared importer) sends, like
 * `importReport.<code>`: their keys are data, not literals, so they stay out of `MessageKey` and
 * are reached only through `tCode(t, prefix, code, fallback)`, which falls back to the server's
 * own words when a code has no text yet. The completeness test still checks both languages.
 */
export interface CodeMessages<P extends string> {
  readonly prefix: P;
  readonly texts: { readonly [L in Lang]: Readonly<Record<string, string>> };
}

export function defineCodeMessages<const P extends string>(
  prefix: P,
  texts: { [L in Lang]: Readonly<Record<string, string>> },
): CodeMessages<P> {
  return { prefix, texts };
}
