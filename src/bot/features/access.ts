import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { isPaymentUpdate } from "../redelivery.js";
import { createGate } from "../../intake/gate.js";

/** With ALLOWED_USER_IDS set, everyone else gets one polite line and nothing more (payments excepted). */
export function accessFeature({ config, models }: BotDeps) {
  const feature = new Composer<BotContext>();
  const gate = createGate(config, models);
  feature.use(async (ctx, next) => {
    // A payment always passes: whoever paid was let through at checkout, and the list may have
    // changed since (or differ between instances during a rolling change).
    if (gate.admits(ctx.from?.id) || isPaymentUpdate(ctx.update)) return next();
    if (ctx.chat?.type === "private" && ctx.msg) await replyTo(ctx, "private");
  });
  return feature;
}
