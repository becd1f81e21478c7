import { Bot, InputFile, type BotConfig } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import type { I18n } from "@grammyjs/i18n";
import type { BotContext, BotDeps } from "./context.js";
import { DEFAULT_LOCALE, LOCALES } from "../telegram/i18n.js";
import { reserveKey } from "../generations/admission.js";
import { mustRedeliver } from "./redelivery.js";
import { accessFeature } from "./features/access.js";
import { startFeature } from "./features/start.js";
import { statusFeature } from "./features/status.js";
import { generateFeature } from "./features/generate.js";
import { fallbackFeature } from "./features/fallback.js";
import { balanceFeature } from "./features/balance.js";
import { logUpdates } from "./middlewares/log-updates.js";
import { buyFeature } from "./features/buy.js";
import { adminFeature } from "./features/admin.js";
import { languageFeature, settingsFeature } from "./features/settings.js";
import { variationsFeature } from "./features/variations.js";
import { historyFeature } from "./features/history.js";
import { cancelFeature } from "./features/cancel.js";
import { templatesFeature } from "./features/templates.js";
import { tolerateStaleCallbackAnswers } from "./callback-answers.js";
import { referralFeature } from "./features/referral.js";
import { promoFeature } from "./features/promo.js";

export type { BotContext, BotDeps };

/**
 * The update kinds the bot handles: messages (payments arrive as messages too), Stars checkouts and
 * the presses of our inline buttons (menus, variations, cancel, history).
 */
export const ALLOWED_UPDATES = ["message", "pre_checkout_query", "callback_query"] as const;

/** True when a call uploads a file: as a parameter, or inside a media group's items. */
const uploads = (payload: object | undefined) =>
  Object.values(payload ?? {}).some(
    (value) => value instanceof InputFile || (Array.isArray(value) && value.some((item) => (item as { media?: unknown } | null)?.media instanceof InputFile)),
  );

export interface CreateBotOptions extends BotDeps {
  i18n: I18n<BotContext>;
  botInfo?: BotConfig<BotContext>["botInfo"];
}

export function createBot(opts: CreateBotOptions) {
  const { config, logger, i18n } = opts;
  const bot = new Bot<BotContext>(config.botToken, {
    botInfo: opts.botInfo,
    client: { apiRoot: config.telegramApiRoot },
  });
  // 429 (honouring retry_after) and 5xx are retried, bounded so a webhook answer is never held long.
  // Not uploads: a streamed file is consumed by the first try, so grammY refuses to send it again.
  // The delivery step retries those itself, from a fresh download, when retry_after says so.
  const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 10, rethrowHttpErrors: true });
  bot.api.config.use((prev, method, payload, signal) => (uploads(payload) ? prev(method, payload, signal) : retry(prev, method, payload, signal)));
  bot.api.config.use(tolerateStaleCallbackAnswers);

  bot.use(logUpdates(logger));
  bot.use(i18n);
  const features = bot.errorBoundary(async (err) => {
    // The update could not be stored, or it is a payment that did not go through: let it fail, so
    // it is delivered again (a 503 to the webhook, a retry in polling mode) rather than acknowledged
    // and lost. Handling it again is harmless: its effects are keyed.
    if (mustRedeliver(err.ctx.update, err.error)) throw err.error;
    const { ctx } = err;
    logger.error({ err: err.error instanceof Error ? err.error.message : String(err.error), update: ctx.update.update_id }, "update handler failed");
    // A request admitted before the failure runs on (and is paid for): "send it again" would make
    // the user pay twice, so they are told where to follow it instead.
    const admitted = await admittedRequest(opts.models, ctx).catch(() => null);
    const text = admitted ? ctx.t("busy-admitted", { id: admitted.short_id }) : ctx.t("busy-retry", { source: retrySource(ctx) });
    await ctx.reply(text, { parse_mode: "HTML" }).catch(() => undefined);
  });
  features.use(accessFeature(opts), languageFeature(opts), referralFeature(opts), promoFeature(opts), balanceFeature(opts), buyFeature(opts), adminFeature(opts), startFeature(opts), statusFeature(opts), settingsFeature(opts));
  features.use(variationsFeature(opts), templatesFeature(opts), historyFeature(opts), cancelFeature(opts));
  features.use(generateFeature(opts), fallbackFeature());

  bot.catch((err) => logger.error({ err: err.message }, "unhandled bot error"));
  return bot;
}

/** How the user asks again for what failed: press the button, send the photo, or send the message. */
function retrySource(ctx: BotContext): "button" | "photo" | "message" {
  if (ctx.callbackQuery) return "button";
  return ctx.msg?.photo || ctx.msg?.document ? "photo" : "message";
}

/** The generation this update's message asked for, if its credits were reserved (it will run). */
async function admittedRequest(models: BotDeps["models"], ctx: BotContext) {
  if (!ctx.chat || !ctx.msg) return null;
  const gen = await models.Generation.findOne({ chat_id: ctx.chat.id, source_message_id: ctx.msg.message_id }).select("short_id");
  if (!gen) return null;
  const reservation = await models.Ledger.exists({ key: reserveKey(gen._id), kind: "reserve" });
  return reservation ? gen : null;
}

/** The command menu, in every interface language. */
export async function registerCommands(bot: Bot<BotContext>, i18n: I18n<BotContext>) {
  for (const locale of LOCALES) {
    const commands = ["start", "help", "templates", "status", "history", "settings", "language", "balance", "buy", "invite", "promo", "paysupport", "terms"].map((command) => ({ command, description: i18n.t(locale, `command-${command}`) }));
    await bot.api.setMyCommands(commands, locale === "en" ? {} : { language_code: locale });
  }
}

/**
 * The menu button beside the chat's input field opens the studio. It is the bot's default button,
 * one text for everyone (Telegram has no per-language default), so it says what the studio is in
 * the default language.
 */
export async function registerMenuButton(bot: Bot<BotContext>, i18n: I18n<BotContext>, webappUrl: string) {
  await bot.api.setChatMenuButton({ menu_button: { type: "web_app", text: i18n.t(DEFAULT_LOCALE, "studio-menu-button"), web_app: { url: webappUrl } } });
}
