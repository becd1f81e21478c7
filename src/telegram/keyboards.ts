import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "./i18n.js";

/**
 * Callback data of the buttons the lifecycle puts under its own messages (sent through the API,
 * outside any update, so they are plain inline keyboards rather than menus).
 */
export const VIDEO_AGAIN = "again";
export const VIDEO_MOVES = "moves";
export const VIDEO_FORMAT = "format";
export const VIDEO_PROMPT = "prompt";
export const CANCEL = "cancel";

/**
 * "Again", "Format", "Another camera move" (for a model that reads camera commands), "New prompt"
 * under a delivered video (or its link).
 */
export function videoKeyboard(t: Translate, locale: string, shortId: string, opts: { cameraMoves?: boolean } = {}): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [{ text: t(locale, "button-again"), callback_data: `${VIDEO_AGAIN}:${shortId}` }],
      [{ text: t(locale, "button-format"), callback_data: `${VIDEO_FORMAT}:${shortId}` }],
      ...(opts.cameraMoves === false ? [] : [[{ text: t(locale, "button-another-move"), callback_data: `${VIDEO_MOVES}:${shortId}` }]]),
      [{ text: t(locale, "button-new-prompt"), callback_data: `${VIDEO_PROMPT}:${shortId}` }],
    ],
  };
}

/** The Cancel button under the status message of a queued generation. */
export function cancelKeyboard(t: Translate, locale: string, shortId: string): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: t(locale, "button-cancel"), callback_data: `${CANCEL}:${shortId}` }]] };
}
