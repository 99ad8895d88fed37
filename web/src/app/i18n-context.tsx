import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { initialLang, type Lang, makeT, rememberLang, type TFunction } from '../i18n/index.js';

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: TFunction;
}

const I18nContext = createContext<I18n | null>(null);

/** Holds the current language; changing it re-renders everything and is remembered. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(
    () => ({
      lang,
      t: makeT(lang),
      setLang: (next) => {
        rememberLang(next);
        setLangState(next);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
