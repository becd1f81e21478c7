import { Composer, GrammyError, InlineKeyboard } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import type { Speaker } from "../../telegram/i18n.js";
import { createAccounts, type LedgerEntry } from "../../credits/accounts.js";
import { planOf, renewalDate, setRenewal, type PlanState } from "../../credits/plans.js";

const PLAN_CANCEL = "plan:cancel";
const PLAN_RESUME = "plan:resume";

/** The plan's line of /balance and the studio: credits, price, and the next renewal (or the end, once cancelled). */
export const planText = (say: Speaker, plan: PlanState) =>
  say.t("plan-status", { credits: plan.credits, stars: plan.stars, date: renewalDate(plan.renewsUntil), canceled: plan.canceled ? "yes" : "no" });
const planKeyboard = (say: Speaker, plan: PlanState) =>
  new InlineKeyboard().text(say.t(plan.canceled ? "plan-resume" : "plan-cancel"), plan.canceled ? PLAN_RESUME : PLAN_CANCEL);

const HISTORY_LENGTH = 10;

/** "2026-11-26 09:47" in UTC: the same for every user, whatever their clock. */
const stamp = (at: Date) => at.toISOString().slice(0, 16).replace("T", " ");
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** What a movement was, in the user's words ("bought for 50 ⭐"); the chat's /balance and the studio's balance. */
export function describeMovement(ctx: Speaker, entry: LedgerEntry) {
  // A plan's payment is a purchase like a pack's, told apart by the period it paid for.
  const kind = entry.kind === "purchase" && entry.renews_until ? "plan" : entry.kind;
  return ctx.t(`ledger-${kind}`, { id: entry.short_id ?? "", stars: entry.stars ?? 0, code: entry.promo_code ?? "" });
}

/** /balance: the credits a user has, and the movements that led there. */
export function balanceFeature({ models, config, logger }: BotDeps) {
  const accounts = createAccounts(models, config);
  const feature = new Composer<BotContext>();
  // Credits, payments and job ids are the user's business: in a group, only a pointer to the private chat.
  feature.chatType(["group", "supergroup", "channel"]).command("balance", (ctx) => replyTo(ctx, "balance-private-only"));
  feature.command("balance", async (ctx) => {
    if (!ctx.from) return;
    const state = await accounts.open(ctx.from.id);
    const [history, plan] = await Promise.all([accounts.recent(ctx.from.id, HISTORY_LENGTH), planOf(models, ctx.from.id)]);
    const lines = history.map((entry) =>
      ctx.t("balance-line", { date: stamp(entry.at), change: signed(entry.credits), what: describeMovement(ctx, entry) }),
    );
    const head = [ctx.t("balance", { balance: state.balance, inFlight: state.inFlight }), ...(plan ? [planText(ctx, plan)] : [])];
    await ctx.reply([...head, "", ctx.t("balance-history"), ...lines, "", ctx.t("balance-buy")].join("\n"), {
      parse_mode: "HTML",
      reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true },
      ...(plan ? { reply_markup: planKeyboard(ctx, plan) } : {}),
    });
  });

  // Cancel renewal / Resume renewal under /balance: Telegram's editUserStarSubscription, for the presser's own plan.
  feature.callbackQuery([PLAN_CANCEL, PLAN_RESUME], async (ctx) => {
    const canceled = ctx.callbackQuery.data === PLAN_CANCEL;
    let plan: PlanState | null;
    try {
      plan = await setRenewal(models, ctx.api, ctx.from.id, canceled);
    } catch (err) {
      if (!(err instanceof GrammyError)) throw err;
      logger.warn({ user: ctx.from.id, err: err.description }, "Telegram refused to change the plan's renewal");
      return ctx.answerCallbackQuery({ text: ctx.t("plan-change-failed"), show_alert: true });
    }
    if (!plan) return ctx.answerCallbackQuery({ text: ctx.t("plan-none") });
    logger.info({ user: ctx.from.id, canceled }, "plan renewal changed");
    await ctx.answerCallbackQuery({ text: planText(ctx, plan) });
    await ctx.editMessageReplyMarkup({ reply_markup: planKeyboard(ctx, plan) }).catch(() => undefined);
  });
  // First contact opens the account, so the welcome credits are there before the first photo.
  feature.command("start", async (ctx, next) => {
    if (ctx.from) await accounts.open(ctx.from.id);
    return next();
  });
  return feature;
}
