import { Composer } from "grammy";
import type { Phase } from "../../db/models.js";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { escapeHtml } from "../../telegram/i18n.js";
import { describedAs } from "../../templates/library.js";

const STATE_KEY: Record<Phase, string> = {
  queued: "state-queued",
  submitting: "state-queued",
  submitted: "state-submitted",
  delivering: "state-delivering",
  delivered: "state-delivered",
  notifying: "state-failed",
  failed: "state-failed",
};
/** A job the user cancelled ends like a failure (see generations/cancel.ts) but is not one to them. */
export const stateOf = (gen: { phase: Phase; error_code?: string | null }) => (gen.error_code === "cancelled" ? "state-cancelled" : STATE_KEY[gen.phase]);
const LIST_LENGTH = 10;
const PROMPT_PREVIEW = 40;

/**
 * How long ago `since` was. "ago" phrases are their own messages: Russian puts the number after
 * «назад» in another case than in a list ("1 минута" but "1 минуту назад").
 */
function age(ctx: BotContext, since: Date, keys: readonly [string, string, string] = ["age", "age-hours", "age-days"]) {
  const minutes = Math.floor((Date.now() - since.getTime()) / 60_000);
  if (minutes < 60) return ctx.t(keys[0], { minutes });
  if (minutes < 48 * 60) return ctx.t(keys[1], { hours: Math.floor(minutes / 60) });
  return ctx.t(keys[2], { days: Math.floor(minutes / 1440) });
}
const AGO_KEYS = ["ago", "ago-hours", "ago-days"] as const;

function preview(prompt: string) {
  const chars = [...prompt];
  return escapeHtml(chars.length > PROMPT_PREVIEW ? chars.slice(0, PROMPT_PREVIEW).join("") + "…" : prompt);
}

/**
 * /status lists the user's own latest generations; /status <id> shows one of them. Prompts are the
 * user's business, so in a group the command only points to the private chat.
 */
export function statusFeature({ models, config }: BotDeps) {
  const feature = new Composer<BotContext>();
  feature.chatType(["group", "supergroup"]).command("status", (ctx) => replyTo(ctx, "status-private-only"));
  feature.command("status", async (ctx) => {
    const userId = ctx.from?.id;
    if (!userId) return;
    const locale = await ctx.i18n.getLocale();
    // A template's job by the template's name, not the English prompt MiniMax got.
    const shown = (gen: { template?: string | null; prompt: string }) =>
      gen.template ? describedAs((_, key, variables) => ctx.t(key, variables), locale, config.templates, gen) : gen.prompt;
    const id = ctx.match.trim().toLowerCase();
    if (id) {
      const gen = await models.Generation.findOne({ short_id: id, user_id: userId });
      if (!gen) return replyTo(ctx, "status-not-found", { id: escapeHtml(id.slice(0, 20)) });
      return replyTo(ctx, "status-detail", {
        id: gen.short_id,
        state: ctx.t(stateOf(gen)),
        ago: age(ctx, gen.created_at!, AGO_KEYS),
        prompt: escapeHtml(shown(gen)),
      });
    }
    const latest = await models.Generation.find({ user_id: userId }).sort({ created_at: -1 }).limit(LIST_LENGTH);
    if (latest.length === 0) return replyTo(ctx, "status-empty");
    const lines = latest.map((gen) =>
      ctx.t("status-line", {
        id: gen.short_id,
        state: ctx.t(stateOf(gen)),
        age: age(ctx, gen.created_at!),
        prompt: preview(shown(gen)),
      }),
    );
    return ctx.reply([ctx.t("status-header"), ...lines].join("\n"), { parse_mode: "HTML" });
  });
  return feature;
}
