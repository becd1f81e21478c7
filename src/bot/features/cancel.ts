import { randomBytes } from "node:crypto";
import { Composer } from "grammy";
import { cancelGeneration } from "../../generations/cancel.js";
import { createLeases } from "../../generations/leases.js";
import { CANCEL, CANCEL_GROUP } from "../../telegram/keyboards.js";
import type { BotContext, BotDeps } from "../context.js";

/**
 * The Cancel button under a queued job's status message, and the one under an album's or a pack's.
 * The decision is a unique claim shared with the submitter (generations/cancel.ts): a cancelled job
 * is never sent to MiniMax. A task MiniMax still has queued is cancelled there, where its model's API allows it.
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

  // The one Cancel of an album or a pack: each of its jobs still waiting is decided as the button above decides one.
  feature.callbackQuery(new RegExp(`^${CANCEL_GROUP}:(\\w+)$`), async (ctx) => {
    const waiting = await models.Generation.find({ group_id: ctx.match[1]!, user_id: ctx.from.id, phase: { $in: ["queued", "submitting"] } })
      .select("short_id")
      .lean();
    let cancelled = 0;
    for (const gen of waiting) if ((await cancelGeneration({ models, leases, minimax, logger }, gen.short_id, ctx.from.id)) === "cancelled") cancelled++;
    await ctx.answerCallbackQuery({ text: cancelled ? ctx.t("cancel-group-cancelled", { count: cancelled }) : ctx.t("cancel-group-none") });
    if (cancelled) onQueued();
  });
  return feature;
}
