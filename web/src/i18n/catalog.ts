/**
 * Every text of the UI, in one list of messages modules. `MessageKey` is the union of their keys,
 * so `t('…')` with a key no module declares does not compile, and the dictionaries the UI reads
 * are built here once, from the list, rather than filled in by pages as they load.
 *
 * A new area: write `web/src/pages/<area>/<area>-messages.ts` with `defineMessages({ en, 'zh-CN' })`
 * and add it to MESSAGE_MODULES below (one import, one entry).
 */

import { pageErrorMessages } from '../app/page-error-messages.js';
import { visitorMessages } from '../app/visitor-messages.js';
import { chartMessages } from '../components/chart/chart-messages.js';
import { errorMessages } from '../components/error-messages.js';
import { systemLineMessages } from '../log/system-line-messages.js';
import { accessMessages } from '../pages/access/access-messages.js';
import { accountMessages } from '../pages/account/account-messages.js';
import { adminMessages } from '../pages/admin/admin-messages.js';
import { applicationFormMessages } from '../pages/applications/application-form-messages.js';
import { applicationsMessages } from '../pages/applications/applications-messages.js';
import { deployImageMessages } from '../pages/deploy-image-messages.js';
import { imagesMessages } from '../pages/images-messages.js';
import { behaviourMessages } from '../pages/impact/behaviour/behaviour-messages.js';
import { impactMessages } from '../pages/impact/impact-messages.js';
import { insightsMessages } from '../pages/insights/insights-messages.js';
import { insightsNavMessages } from '../pages/insights/insights-nav-messages.js';
import {
  importMessages,
  importOutcomeCodes,
  importReportCodes,
} from '../pages/pipeline-import/import-messages.js';
import { releaseReasonMessages } from '../pages/release-reason-messages.js';
import { releaseWhyMessages } from '../pages/release-why-messages.js';
import { artifactsMessages } from '../pages/run/artifacts-messages.js';
import { reasonMessages } from '../pages/run/reason-messages.js';
import { badgeMessages } from '../pages/settings/badge-messages.js';
import { cacheMessages } from '../pages/settings/cache-messages.js';
import { notifyMessages } from '../pages/settings/notify-messages.js';
import { registryMessages } from '../pages/settings/registry-messages.js';
import { signinProviderMessages } from '../pages/signin-provider-messages.js';
import {
  type CodeMessages,
  defineMessages,
  LANGS,
  type Lang,
  type MessageModule,
} from './define-messages.js';
import { en } from './en.js';
import { lookMessages } from './look-messages.js';
import { zhCN } from './zh-CN.js';

const baseMessages = defineMessages({ en, 'zh-CN': zhCN });

/** Every messages module, by name (the name shows in the duplicate-key check). */
export const MESSAGE_MODULES = {
  baseMessages,
  lookMessages,
  accessMessages,
  accountMessages,
  adminMessages,
  applicationFormMessages,
  applicationsMessages,
  artifactsMessages,
  badgeMessages,
  behaviourMessages,
  cacheMessages,
  chartMessages,
  errorMessages,
  deployImageMessages,
  imagesMessages,
  impactMessages,
  importMessages,
  insightsMessages,
  insightsNavMessages,
  notifyMessages,
  pageErrorMessages,
  registryMessages,
  releaseReasonMessages,
  releaseWhyMessages,
  reasonMessages,
  signinProviderMessages,
  systemLineMessages,
  visitorMessages,
} as const;

/** Sentences keyed by codes from the server or the importer: reached through `tCode` only. */
export const CODE_MESSAGES = [importReportCodes, importOutcomeCodes] as const;

type Modules = typeof MESSAGE_MODULES;

/** A key some messages module declares: the only thing `t` accepts. */
export type MessageKey = { [M in keyof Modules]: keyof Modules[M]['en'] & string }[keyof Modules];

/** The English text of a key, as a literal type (placeholders are read from it). */
export type EnglishText<K extends string> = {
  [M in keyof Modules]: K extends keyof Modules[M]['en'] ? Modules[M]['en'][K] : never;
}[keyof Modules];

/** `{name}` placeholders of a text; braces around anything but a word are left alone, as `t` does. */
type PlaceholdersIn<S> = S extends `${string}{${infer Name}}${infer Rest}`
  ?
      | (Name extends `${string}${' ' | '"' | "'" | '{' | ':' | ','}${string}` | '' ? never : Name)
      | PlaceholdersIn<Rest>
  : never;

/** The placeholders `t(key, vars)` must fill for `K`. */
export type PlaceholdersOf<K extends string> = PlaceholdersIn<EnglishText<K>>;

/** "a.b.c" → "a" | "a.b": the prefixes a code can be looked up under. */
type PrefixesOf<K extends string> = K extends `${infer Head}.${infer Rest}`
  ? Head | `${Head}.${PrefixesOf<Rest>}`
  : never;

/** What `tCode` takes as a prefix: one of the typed keys' dotted prefixes, or a code table's. */
export type CodePrefix = PrefixesOf<MessageKey> | (typeof CODE_MESSAGES)[number]['prefix'];

function build(lang: Lang): Readonly<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const module of Object.values(MESSAGE_MODULES) as MessageModule<Record<string, string>>[]) {
    Object.assign(texts, module[lang]);
  }
  for (const table of CODE_MESSAGES as readonly CodeMessages<string>[]) {
    for (const [code, text] of Object.entries(table.texts[lang])) texts[`${table.prefix}.${code}`] = text;
  }
  return Object.freeze(texts);
}

/** Both languages' dictionaries, built once from the lists above and never changed after. */
export const DICTIONARIES: Readonly<Record<Lang, Readonly<Record<string, string>>>> = Object.freeze(
  Object.fromEntries(LANGS.map((lang) => [lang, build(lang)])) as Record<
    Lang,
    Readonly<Record<string, string>>
  >,
);
