import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";

/** With ALLOWED_USER_IDS set, everyone else gets one polite line and nothing more. */
export function accessFeature({ config }: BotDeps) {
  const feature = new Composer<BotContext>();
  const allowed = config.allowedUserIds ? new Set(config.allowedUserIds) : undefined;
  feature.use(async (ctx, next) => {
    if (!allowed || (ctx.from && allowed.has(ctx.from.id))) return next();
    if (ctx.chat?.type === "private" && ctx.msg) await replyTo(ctx, "private");
  });
  return feature;
}
