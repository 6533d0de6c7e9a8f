import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { de } from './de';
import { en, type Dict, type Key } from './en';
import { ru } from './ru';
import { uk } from './uk';

export type Lang = 'en' | 'de' | 'uk' | 'ru';
export type { Key, Dict };

/** languages in the switcher, each named in itself. */
export const languages: { code: Lang; name: string }[] = [
  { code: 'de', name: 'Deutsch' },
  { code: 'en', name: 'English' },
  { code: 'uk', name: 'Українська' },
  { code: 'ru', name: 'Русский' },
];

export const dictionaries: Record<Lang, Dict> = { en, de, uk, ru };

/** Intl locale per language; German formats dates the German way. */
const locales: Record<Lang, string> = { en: 'en-GB', de: 'de-DE', uk: 'uk-UA', ru: 'ru-RU' };

const storageKey = 'switchboard.lang';

/** pickLanguage chooses the stored language, else the first supported browser language, else English. */
export function pickLanguage(stored: string | null, browser: readonly string[]): Lang {
  const ok = (s: string | null | undefined): s is Lang => !!s && s in dictionaries;
  if (ok(stored)) return stored;
  for (const l of browser) {
    const base = l.toLowerCase().split('-')[0];
    if (ok(base)) return base;
  }
  return 'en';
}

export type Vars = Record<string, string | number>;

/** translate looks key up and fills {name} placeholders. */
export function translate(dict: Dict, key: Key, vars?: Vars): string {
  const s = dict[key] ?? en[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export type T = (key: Key, vars?: Vars) => string;

interface I18n {
  lang: Lang;
  locale: string;
  t: T;
  setLang: (l: Lang) => void;
}

const Ctx = createContext<I18n | null>(null);

function readStored(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => pickLanguage(readStored(), navigator.languages ?? [navigator.language]));
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(storageKey, l);
    } catch {
      // Private mode: the choice lasts for this tab only.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    return { lang, locale: locales[lang], setLang, t: (k, v) => translate(dict, k, v) };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
