import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { isPaymentUpdate } from "../redelivery.js";

/** With ALLOWED_USER_IDS set, everyone else gets one polite line and nothing more (payments excepted). */
export function accessFeature({ config }: BotDeps) {
  const feature = new Composer<BotContext>();
  const allowed = config.allowedUserIds ? new Set(config.allowedUserIds) : undefined;
  feature.use(async (ctx, next) => {
    // A payment always passes: whoever paid was let through at checkout, and the list may have
    // changed since (or differ between instances during a rolling change).
    if (!allowed || (ctx.from && allowed.has(ctx.from.id)) || isPaymentUpdate(ctx.update)) return next();
    if (ctx.chat?.type === "private" && ctx.msg) await replyTo(ctx, "private");
  });
  return feature;
}
