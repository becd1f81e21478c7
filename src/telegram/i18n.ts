import { fileURLToPath } from "node:url";
import { I18n, type I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";

export const LOCALES = ["en", "ru"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

// src/telegram/ and dist/telegram/ both sit two levels below the project root.
export const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

/** Russian for Russian-language Telegram clients, English for everyone else. */
export function localeFor(languageCode: string | undefined): Locale {
  const base = languageCode?.toLowerCase().split("-")[0];
  return (LOCALES as readonly string[]).includes(base ?? "") ? (base as Locale) : DEFAULT_LOCALE;
}

export type TranslationVariables = Record<string, string | number>;
/** Every user-facing string goes through this: locales/*.ftl is the one place they live. */
export type Translate = (locale: string, key: string, variables?: TranslationVariables) => string;
/** Something that speaks one user's language: an update's context, or the studio's translator. */
export interface Speaker {
  t(key: string, variables?: TranslationVariables): string;
}

export function createI18n<C extends Context & I18nFlavor>() {
  return new I18n<C>({
    defaultLocale: DEFAULT_LOCALE,
    directory: LOCALES_DIR,
    // Telegram shows Unicode isolation marks as stray characters, and they break copied ids.
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => localeFor(ctx.from?.language_code),
  });
}

/** HTML-escapes user text (prompts) before it goes into a parse_mode HTML message. */
export const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
