import { en } from './en.js';
import { zhCN } from './zh-CN.js';

/**
 * Two languages, switchable and remembered. `t(key)` looks the key up in the current language,
 * then in English, then returns the key itself — a missing translation shows up as its key, never
 * as an empty string. Pages written by other helpers register their own keys with
 * `registerMessages` instead of editing these dictionaries.
 */
export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];
export type Messages = Record<string, string>;

/** The lookup every component receives. `vars` fill `{name}` placeholders. */
export type TFunction = (key: string, vars?: Record<string, string | number>) => string;

const dictionaries: Record<Lang, Messages> = { en: { ...en }, 'zh-CN': { ...zhCN } };

/** Adds (or overrides) keys for both languages; call at module load of a page. */
export function registerMessages(messages: Partial<Record<Lang, Messages>>): void {
  for (const lang of LANGS) Object.assign(dictionaries[lang], messages[lang] ?? {});
}

/** Every key of a language as registered so far (for the glossary and completeness checks). */
export function allMessages(lang: Lang): Readonly<Messages> {
  return dictionaries[lang];
}

export function translate(lang: Lang, key: string, vars?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  );
}

export function makeT(lang: Lang): TFunction {
  return (key, vars) => translate(lang, key, vars);
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
