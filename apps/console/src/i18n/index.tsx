import { createContext, type ReactNode, useEffect, useMemo, useState } from "react";
import { useRequiredContext } from "../required-context.ts";
import { type Dictionary, en } from "./en.ts";
import { fr } from "./fr.ts";

export type { Dictionary };
export type Lang = "en" | "fr";

const DICTIONARIES: Record<Lang, Dictionary> = { en, fr };
/** Only the language choice is remembered; nothing about the session is. */
const LANG_STORAGE = "lapse-console-lang";

export interface I18n {
  lang: Lang;
  t: Dictionary;
  setLang(lang: Lang): void;
  /** A `YYYY-MM-DD` UTC day, as words. */
  day(day: string): string;
  /** An ISO instant, date and time in UTC. */
  instant(iso: string): string;
  number(n: number): string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_STORAGE);
  if (saved === "en" || saved === "fr") {
    return saved;
  }
  return navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = DICTIONARIES[lang].appName;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const locale = lang === "fr" ? "fr-FR" : "en-GB";
    const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
    const instantFormat = new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "UTC",
    });
    const numberFormat = new Intl.NumberFormat(locale);
    return {
      lang,
      t: DICTIONARIES[lang],
      setLang(next) {
        localStorage.setItem(LANG_STORAGE, next);
        setLangState(next);
      },
      day: (day) => dayFormat.format(new Date(`${day}T00:00:00Z`)),
      instant: (iso) => `${instantFormat.format(new Date(iso))} UTC`,
      number: (n) => numberFormat.format(n),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useRequiredContext(I18nContext, "useI18n outside I18nProvider");
}
