import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "./i18n.js";

/**
 * Callback data of the buttons the lifecycle puts under its own messages (sent through the API,
 * outside any update, so they are plain inline keyboards rather than menus).
 */
export const VIDEO_AGAIN = "again";
export const VIDEO_MOVES = "moves";
export const VIDEO_PROMPT = "prompt";
export const CANCEL = "cancel";

/**
 * "Again", "Another camera move", "New prompt" under a delivered video (or its link), and "Studio"
 * when `studio` is the studio's link for it (see studioUrl).
 */
export function videoKeyboard(t: Translate, locale: string, shortId: string, studio?: string): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [{ text: t(locale, "button-again"), callback_data: `${VIDEO_AGAIN}:${shortId}` }],
      [{ text: t(locale, "button-another-move"), callback_data: `${VIDEO_MOVES}:${shortId}` }],
      [{ text: t(locale, "button-new-prompt"), callback_data: `${VIDEO_PROMPT}:${shortId}` }],
      ...(studio ? [[{ text: t(locale, "button-studio"), web_app: { url: studio } }]] : []),
    ],
  };
}

/**
 * The studio Mini App's page, opened at one video (or at the gallery), for a button in `chatId`.
 * Undefined when the studio is off, or in a group: Telegram allows web_app buttons in private chats only.
 */
export function studioUrl(webappUrl: string | undefined, chatId: number, shortId?: string): string | undefined {
  if (!webappUrl || chatId < 0) return undefined;
  const url = new URL(webappUrl);
  if (shortId) url.searchParams.set("video", shortId);
  return url.toString();
}

/** The Cancel button under the status message of a queued generation. */
export function cancelKeyboard(t: Translate, locale: string, shortId: string): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: t(locale, "button-cancel"), callback_data: `${CANCEL}:${shortId}` }]] };
}
