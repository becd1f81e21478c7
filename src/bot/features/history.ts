import { Composer } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { videoButtons, videoCaption } from "../../telegram/video-message.js";
import { regenerationOf } from "../../generations/admission.js";
import { studioUrl } from "../../telegram/keyboards.js";
import { describedAs } from "../../templates/library.js";

export const HISTORY_PAGE_SIZE = 5;
const PAGE = "hp"; // hp:<page>
const RESEND = "hv"; // hv:<short id>
/** Characters of the prompt on a video's button: with "🎬 26.11 · " and "…" it stays within 28. */
const LABEL_PROMPT = 16;

const shorten = (text: string, max: number) => {
  const chars = [...text.replace(/\s+/g, " ")]; // a caption's line breaks have no place on a button
  return chars.length > max ? chars.slice(0, max).join("") + "…" : text;
};

/**
 * /history: the user's delivered videos, newest first, a page at a time. The page number travels in
 * the buttons' data, so any instance pages any history message without a session. Choosing a video
 * sends it again by its Telegram file_id: no upload, no MiniMax task.
 */
export function historyFeature(deps: BotDeps) {
  const { models } = deps;
  const feature = new Composer<BotContext>();

  async function page(ctx: BotContext, userId: number, number: number) {
    const locale = await ctx.i18n.getLocale();
    const t = (_: string, key: string, variables?: Record<string, string | number>) => ctx.t(key, variables);
    const gens = await models.Generation.find({ user_id: userId, phase: "delivered" })
      .sort({ created_at: -1, _id: -1 })
      .skip(number * HISTORY_PAGE_SIZE)
      .limit(HISTORY_PAGE_SIZE + 1)
      .select("short_id user_prompt prompt template created_at telegram_video_file_id")
      .lean();
    const hasMore = gens.length > HISTORY_PAGE_SIZE;
    const rows: InlineKeyboardButton[][] = gens.slice(0, HISTORY_PAGE_SIZE).map((gen) => [
      {
        text: ctx.t(gen.telegram_video_file_id ? "history-item" : "history-item-link", {
          date: gen.created_at!.toISOString().slice(5, 10).split("-").reverse().join("."),
          prompt: shorten(describedAs(t, locale, deps.config.templates, gen), LABEL_PROMPT),
        }),
        callback_data: `${RESEND}:${gen.short_id}`,
      },
    ]);
    const nav: InlineKeyboardButton[] = [];
    if (number > 0) nav.push({ text: ctx.t("history-newer"), callback_data: `${PAGE}:${number - 1}` });
    if (hasMore) nav.push({ text: ctx.t("history-older"), callback_data: `${PAGE}:${number + 1}` });
    if (nav.length) rows.push(nav);
    const studio = studioUrl(deps.config.webappUrl, ctx.chat!.id);
    if (studio) rows.push([{ text: ctx.t("button-studio"), web_app: { url: studio } }]);
    return { empty: gens.length === 0, text: ctx.t("history-title", { page: number + 1 }), markup: { inline_keyboard: rows } };
  }

  // The list shows the user's prompts and videos: in a group it would show them to everyone there.
  feature.chatType(["group", "supergroup", "channel"]).command("history", (ctx) => replyTo(ctx, "history-private-only"));
  feature.command("history", async (ctx) => {
    if (!ctx.from) return;
    const first = await page(ctx, ctx.from.id, 0);
    if (first.empty) return replyTo(ctx, "history-empty");
    return ctx.reply(first.text, { parse_mode: "HTML", reply_markup: first.markup });
  });

  feature.callbackQuery(new RegExp(`^${PAGE}:(\\d{1,4})$`), async (ctx) => {
    const next = await page(ctx, ctx.from.id, Number(ctx.match[1]));
    await ctx.answerCallbackQuery();
    if (next.empty) return;
    await ctx.editMessageText(next.text, { parse_mode: "HTML", reply_markup: next.markup }).catch((err: Error) => {
      if (!/message is not modified/.test(err.message)) throw err;
    });
  });

  feature.callbackQuery(new RegExp(`^${RESEND}:(\\w+)$`), async (ctx) => {
    const gen = await models.Generation.findOne({ short_id: ctx.match[1], user_id: ctx.from.id, phase: "delivered" }).lean();
    if (!gen || !ctx.chat) return ctx.answerCallbackQuery({ text: ctx.t("variation-gone") });
    await ctx.answerCallbackQuery();
    const locale = await ctx.i18n.getLocale();
    const t = (_: string, key: string, variables?: Record<string, string | number>) => ctx.t(key, variables);
    if (gen.telegram_video_file_id) {
      return ctx.replyWithVideo(gen.telegram_video_file_id, {
        caption: videoCaption(t, locale, gen),
        parse_mode: "HTML",
        reply_markup: videoButtons(t, locale, gen, studioUrl(deps.config.webappUrl, ctx.chat.id, gen.short_id), regenerationOf(deps.config, gen)?.price),
      });
    }
    // Sent as a link (too large to upload): the link again; MiniMax's signed links expire after hours.
    return ctx.reply(ctx.t("history-link", { id: gen.short_id, url: gen.video_url ?? "" }), {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
  });

  return feature;
}
