import type { Translate, TranslationVariables } from "../telegram/i18n.js";

/**
 * The page's own words, served from the bot's Fluent files (locales/*.ftl) so the studio and the
 * chat say the same thing the same way. Texts with numbers in them are rendered by the API where
 * the numbers are known; these are the ones without.
 */
export const PAGE_TEXTS = [
  "studio-tab-gallery",
  "studio-tab-jobs",
  "studio-tab-balance",
  "studio-tab-settings",
  "studio-filter-formats",
  "studio-filter-models",
  "studio-variants",
  "studio-download",
  "studio-download-started",
  "studio-loading",
  "studio-failed",
  "studio-retry",
  "studio-video-in-chat",
  "studio-jobs-empty",
  "studio-open-in-telegram",
  "studio-expired",
  "studio-packs",
  "studio-saved",
  "studio-duration",
  "studio-resolution",
  "studio-camera",
  "studio-model",
  "studio-format",
  "studio-settings-albums",
  "studio-paid",
  "studio-tab-dashboard",
  "studio-invite",
  "studio-plans",
  "dashboard-videos",
  "dashboard-stars",
  "dashboard-credits",
  "dashboard-failures",
  "dashboard-median",
  "dashboard-queue",
  "dashboard-made",
  "dashboard-failed",
  "dashboard-received",
  "dashboard-refunded",
  "dashboard-spent",
  "dashboard-none",
  "history-empty",
  "balance-history",
  "button-again",
  "button-format",
  "button-pack",
  "studio-template",
  "button-cancel",
  "settings-back",
  "settings-optimizer-on",
  "settings-optimizer-off",
  "camera-none",
  "camera-max",
] as const;

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"' };

/** A Fluent text written for Telegram's HTML, as plain text for the page (which escapes it itself). */
export const plainText = (html: string) => html.replace(/<[^>]*>/g, "").replace(/&(lt|gt|amp|quot);/g, (m) => ENTITIES[m]!);

/** A translator bound to one language, giving plain text: what the studio's API answers in. */
export function plainTranslator(t: Translate, locale: string) {
  return { t: (key: string, variables?: TranslationVariables) => plainText(t(locale, key, variables)) };
}

export function pageTexts(t: Translate, locale: string): Record<string, string> {
  const say = plainTranslator(t, locale);
  return Object.fromEntries(PAGE_TEXTS.map((key) => [key, say.t(key)]));
}
