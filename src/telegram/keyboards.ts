import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "./i18n.js";

/**
 * The longest label a 390-point-wide phone shows uncut, by how many buttons share its row
 * (locales/README.md): 28 characters alone, 18 each for two, 12 each for three.
 */
export const BUTTON_LABEL_LIMITS: Readonly<Record<number, number>> = { 1: 28, 2: 18, 3: 12 };
const graphemes = new Intl.Segmenter();
/** A label's length as the reader sees it: an emoji, a flag or "✍️" counts as one character. */
export const labelLength = (label: string) => [...graphemes.segment(label)].length;
/** True when `label` fits a button in a row of `perRow`. */
export const fitsRow = (label: string, perRow: number) => labelLength(label) <= (BUTTON_LABEL_LIMITS[Math.min(perRow, 3)] ?? 0);

/**
 * Callback data of the buttons the lifecycle puts under its own messages (sent through the API,
 * outside any update, so they are plain inline keyboards rather than menus).
 */
export const VIDEO_AGAIN = "again";
export const VIDEO_MOVES = "moves";
export const VIDEO_FORMAT = "format";
export const VIDEO_PROMPT = "prompt";
export const CANCEL = "cancel";
export const CANCEL_GROUP = "cancelgroup";
export const VIDEO_PACK = "pack";
export const VIDEO_TEMPLATE = "tmpl";
export const VIDEO_2K = "hd";

/**
 * "Again" and "🎲 3 variants", "Format" and "🧩 Template", "Another camera move" (these two moving
 * buttons for a model that reads camera commands), "New prompt" under a delivered video (or its
 * link), "✨ 2K" with its price (`twoKPrice`) under a video that can be made again at 2K, and "Studio"
 * when `studio` is the studio's link for it (see studioUrl).
 */
export function videoKeyboard(t: Translate, locale: string, shortId: string, opts: { cameraMoves?: boolean; studio?: string; twoKPrice?: number } = {}): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: t(locale, "button-again"), callback_data: `${VIDEO_AGAIN}:${shortId}` },
        // A pack varies the camera: only for a model that reads camera commands.
        ...(opts.cameraMoves === false ? [] : [{ text: t(locale, "button-pack"), callback_data: `${VIDEO_PACK}:${shortId}` }]),
      ],
      [
        { text: t(locale, "button-format"), callback_data: `${VIDEO_FORMAT}:${shortId}` },
        { text: t(locale, "button-template"), callback_data: `${VIDEO_TEMPLATE}:${shortId}` },
      ],
      ...(opts.cameraMoves === false ? [] : [[{ text: t(locale, "button-another-move"), callback_data: `${VIDEO_MOVES}:${shortId}` }]]),
      [{ text: t(locale, "button-new-prompt"), callback_data: `${VIDEO_PROMPT}:${shortId}` }],
      // The price is on the button: pressing it reserves credits (an action, not a choice).
      ...(opts.twoKPrice !== undefined ? [[{ text: t(locale, "button-2k", { price: opts.twoKPrice }), callback_data: `${VIDEO_2K}:${shortId}` }]] : []),
      ...(opts.studio ? [[{ text: t(locale, "button-studio"), web_app: { url: opts.studio } }]] : []),
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

/** The one Cancel under an album's or a pack's status message: every job of it not yet at MiniMax. */
export function cancelGroupKeyboard(t: Translate, locale: string, groupId: string): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: t(locale, "button-cancel-waiting"), callback_data: `${CANCEL_GROUP}:${groupId}` }]] };
}

/**
 * The buttons under a variant pack's note (the album above it can carry none): Again and Format
 * for each variant, numbered as in the note.
 */
export function packNoteKeyboard(t: Translate, locale: string, variants: Array<{ shortId: string; n: number }>): InlineKeyboardMarkup {
  return {
    inline_keyboard: variants.map(({ shortId, n }) => [
      { text: t(locale, "button-pack-again", { n }), callback_data: `${VIDEO_AGAIN}:${shortId}` },
      { text: t(locale, "button-pack-format", { n }), callback_data: `${VIDEO_FORMAT}:${shortId}` },
    ]),
  };
}
