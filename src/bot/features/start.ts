import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { priceOf } from "../../generations/admission.js";

export function startFeature({ config }: BotDeps) {
  const feature = new Composer<BotContext>();
  const helpVariables = {
    model: config.model,
    duration: config.duration,
    resolution: config.resolution,
    maxActive: config.maxActivePerUser,
  };
  feature.command("start", (ctx) => replyTo(ctx, "start"));
  const price = priceOf(config, { model: config.model, duration: config.duration, resolution: config.resolution });
  feature.command("help", (ctx) =>
    ctx.reply(`${ctx.t("help", helpVariables)}\n\n${ctx.t("help-credits", { price })}`, {
      parse_mode: "HTML",
      reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
    }),
  );
  return feature;
}
