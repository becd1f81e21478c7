import { randomBytes } from "node:crypto";
import { Composer } from "grammy";
import { cancelGeneration } from "../../generations/cancel.js";
import { createLeases } from "../../generations/leases.js";
import { CANCEL } from "../../telegram/keyboards.js";
import type { BotContext, BotDeps } from "../context.js";

/**
 * The Cancel button under a queued job's status message. The decision is a unique claim shared
 * with the submitter (generations/cancel.ts): a cancelled job is never sent to MiniMax. A task
 * MiniMax still has queued is cancelled there, where its model's API allows it.
 */
export function cancelFeature(deps: BotDeps) {
  const { models, config, minimax, logger, onQueued } = deps;
  const feature = new Composer<BotContext>();
  const leases = createLeases(models, `bot-${process.pid}-${randomBytes(4).toString("hex")}`, config.leaseMs);

  feature.callbackQuery(new RegExp(`^${CANCEL}:(\\w+)$`), async (ctx) => {
    const outcome = await cancelGeneration({ models, leases, minimax, logger }, ctx.match[1]!, ctx.from.id);
    await ctx.answerCallbackQuery({ text: ctx.t(`cancel-${outcome.replace("_", "-")}`) });
    // The notifier closes the job and the progress updater edits the status message.
    if (outcome === "cancelled") onQueued();
  });
  return feature;
}
