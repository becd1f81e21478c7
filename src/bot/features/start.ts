import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";

export function startFeature({ config }: BotDeps) {
  const feature = new Composer<BotContext>();
  const helpVariables = {
    model: config.model,
    duration: config.duration,
    resolution: config.resolution,
    maxActive: config.maxActivePerUser,
  };
  feature.command("start", (ctx) => replyTo(ctx, "start"));
  feature.command("help", (ctx) => replyTo(ctx, "help", helpVariables));
  return feature;
}
