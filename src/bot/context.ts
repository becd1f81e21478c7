import type { Context } from "grammy";
import type { Types } from "mongoose";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { TelegramFiles } from "../telegram/files.js";
import type { StoredSettings } from "../generations/settings.js";
import type { MiniMaxClient } from "../minimax/client.js";
import type { Translate } from "../telegram/i18n.js";

/** What the bot keeps per user and reads once per update (see languageFeature). */
export interface StoredUser {
  locale?: string | null;
  settings?: StoredSettings | null;
}

/** The one context type every feature sees. */
export type BotContext = Context &
  I18nFlavor & {
    /** The user's stored language and settings, as read at the start of this update (null: none yet). */
    storedUser?: StoredUser | null;
  };

export interface BotDeps {
  config: Config;
  models: Models;
  files: TelegramFiles;
  logger: Logger;
  /** Texts in any user's language: for messages to a user other than the one whose update this is (a referral's inviter). */
  t: Translate;
  /** The Cancel button reaches MiniMax for a task it still has queued. */
  minimax: Pick<MiniMaxClient, "cancelTask" | "queryTask">;
  /** Wakes the generation worker after a new request is queued (with its model: the queue it joins). */
  onQueued: (generation?: Types.ObjectId, model?: string) => void;
  /** Counts a job admitted, by its template (astrolus_generations_total). */
  onCreated?: (template: string | undefined) => void;
  /** A part of this album was stored: its decision is due once the album's quiet window has passed. */
  onAlbumPart?: (album: string) => void;
}

/** Replies to the message that triggered the update, in the user's language, as HTML. */
export function replyTo(ctx: BotContext, key: string, variables?: Record<string, string | number>) {
  return ctx.reply(ctx.t(key, variables), {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    ...(ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {}),
  });
}
