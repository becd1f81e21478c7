import { Composer } from "grammy";
import { effectiveSettings, loadSettings } from "../../generations/settings.js";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { priceOf } from "../../generations/admission.js";

export function startFeature(deps: BotDeps) {
  const { config } = deps;
  const feature = new Composer<BotContext>();
  feature.command("start", (ctx) => replyTo(ctx, "start"));
  feature.command("help", async (ctx) => {
    // The user's own model, length and quality, as chosen in /settings, and what a video costs with them.
    const { model, duration, resolution } = ctx.from ? await loadSettings(deps, ctx.from.id) : effectiveSettings(config, undefined);
    const price = priceOf(config, { model, duration, resolution });
    const help = ctx.t("help", { model, duration, resolution, maxActive: config.maxActivePerUser });
    return ctx.reply(`${help}\n\n${ctx.t("help-credits", { price })}`, {
      parse_mode: "HTML",
      reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
    });
  });
  return feature;
}
