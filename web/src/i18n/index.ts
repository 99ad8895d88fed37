/**
 * Two languages, switchable and remembered. `t(key)` takes only keys the catalogue declares
 * (catalog.ts), each present in both languages by construction, so neither a typo nor a missing
 * translation gets past tsc. Texts keyed by a server code go through `tCode`, which falls back to
 * the server's own (English) words instead of showing a raw key.
 */
import { type CodePrefix, DICTIONARIES, type MessageKey, type PlaceholdersOf } from './catalog.js';
import type { Lang } from './define-messages.js';

export type { CodePrefix, MessageKey, PlaceholdersOf } from './catalog.js';
export { defineCodeMessages, defineMessages, LANGS, type Lang } from './define-messages.js';

export type Messages = Readonly<Record<string, string>>;
export type MessageVars = Record<string, string | number>;

/**
 * `vars` for key K: required, with every `{name}` of its English text, when it has placeholders;
 * optional otherwise. A missing value would show up as a literal `{name}` on the page.
 */
export type VarsArg<K extends string> = [PlaceholdersOf<K>] extends [never]
  ? [vars?: MessageVars]
  : [vars: Record<PlaceholdersOf<K>, string | number> & MessageVars];

/**
 * The lookup every component receives. `vars` fill `{name}` placeholders. K is inferred from the
 * argument as written (not constrained up front) so that an unknown key is reported as "not
 * assignable to MessageKey" naming the key, rather than as a confusing argument count.
 */
export type TFunction = <K extends string>(
  key: K extends MessageKey ? K : MessageKey,
  ...vars: [K] extends [MessageKey] ? VarsArg<K> : [vars?: MessageVars]
) => string;

/** `t` seen from code that holds a key only known to be some MessageKey (tCode). */
type UntypedT = (key: MessageKey, vars?: MessageVars) => string;

/** Every key of a language, typed keys and code tables alike (glossary and completeness checks). */
export function allMessages(lang: Lang): Messages {
  return DICTIONARIES[lang];
}

function fill(text: string, vars?: MessageVars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  );
}

export function translate(lang: Lang, key: MessageKey, vars?: MessageVars): string {
  // Every language has every key (defineMessages); the fallbacks only matter for a cast key.
  return fill(DICTIONARIES[lang][key] ?? DICTIONARIES.en[key] ?? key, vars);
}

export function makeT(lang: Lang): TFunction {
  const t: UntypedT = (key, vars) => translate(lang, key, vars);
  return t as TFunction;
}

/** Whether `key` has a text (for codes that arrive as data). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(DICTIONARIES.en, key);
}

/**
 * A text for a code the server sent (`signin.error.<code>`, `importReport.<code>`): the
 * translation when the catalogue has one, else `fallback` — the server's English sentence, or
 * the code itself when the server sent no sentence — never the raw key.
 */
export function tCode(
  t: TFunction,
  prefix: CodePrefix,
  code: string,
  fallback: string,
  vars?: MessageVars,
): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? (t as UntypedT)(key, vars) : fallback;
}

const STORAGE_KEY = 'slipway.lang';

/** The remembered choice, else the browser's language (any zh → zh-CN), else English. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // storage disabled: fall through to the browser language
  }
  const nav = typeof navigator === 'undefined' ? 'en' : navigator.language || 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}
