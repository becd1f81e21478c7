import { Composer, InlineKeyboard } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { escapeHtml } from "../../telegram/i18n.js";
import { createAccounts } from "../../credits/accounts.js";
import { checkoutPack, packInvoice, planInvoice, SUBSCRIPTION_PERIOD_S } from "../../credits/payments.js";
import { settlePayment, settleRefund } from "../../credits/settle.js";
import { createNotifier } from "../../credits/notify.js";
import { renewalDate } from "../../credits/plans.js";
import { defaultVideo } from "../../generations/admission.js";

/**
 * /buy sells the STARS_PACKS for Telegram Stars: one invoice per pack (XTR, one price item, no
 * provider token), and each of the PLANS as a subscription (an invoice link with a 30-day period,
 * since sendInvoice takes none). The checkout is approved only for a pack or plan on sale at its
 * price; the credits arrive with successful_payment, once per charge id (a plan's every renewal has
 * its own), and leave again with refunded_payment. The referral bonuses follow the payment.
 */
export function buyFeature(deps: BotDeps) {
  const { config, models, logger } = deps;
  const accounts = createAccounts(models, config);
  const video = defaultVideo(config);
  const feature = new Composer<BotContext>();
  const notifierFor = (ctx: BotContext) => createNotifier({ models, telegram: ctx.api, t: deps.t, logger });
  const tellAll = async (ctx: BotContext, told: Array<{ userId: number; key: string; variables: Record<string, number> }>) => {
    const notifier = notifierFor(ctx);
    for (const m of told) await notifier.tell(m.userId, m.key, m.variables, m.userId === ctx.from?.id ? ctx.from.language_code : undefined);
  };

  feature.command("buy", async (ctx) => {
    await replyTo(ctx, "buy-intro");
    for (const pack of config.starsPacks) {
      const invoice = packInvoice(pack, video, (key, variables) => ctx.t(key, variables));
      await ctx.replyWithInvoice(invoice.title, invoice.description, invoice.payload, invoice.currency, invoice.prices, { provider_token: "" });
    }
    for (const plan of config.plans) {
      const invoice = planInvoice(plan, video, (key, variables) => ctx.t(key, variables));
      const link = await ctx.api.createInvoiceLink(invoice.title, invoice.description, invoice.payload, "", invoice.currency, invoice.prices, { subscription_period: SUBSCRIPTION_PERIOD_S });
      await ctx.reply(ctx.t("plan-offer", { credits: plan.credits, stars: plan.stars }), {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().url(ctx.t("plan-button", { stars: plan.stars }), link),
      });
    }
  });

  // Telegram waits 10 seconds for this answer: it reads nothing but the configuration.
  feature.on("pre_checkout_query", async (ctx) => {
    const q = ctx.preCheckoutQuery;
    if (checkoutPack(config, q)) return ctx.answerPreCheckoutQuery(true);
    logger.warn({ user: q.from.id, payload: q.invoice_payload.slice(0, 64), amount: q.total_amount }, "checkout refused: no such pack");
    return ctx.answerPreCheckoutQuery(false, { error_message: ctx.t("precheckout-invalid") });
  });

  feature.on("message:successful_payment", async (ctx) => {
    const payment = ctx.msg.successful_payment;
    const renewsUntil = payment.subscription_expiration_date ? new Date(payment.subscription_expiration_date * 1000) : undefined;
    const result = await settlePayment(accounts, models, config, ctx.from.id, payment, renewsUntil);
    if (result.kind === "unknown") {
      // Paid, yet not for anything we sell: the operator has to look (and refund with /refund).
      logger.error({ user: ctx.from.id, charge: payment.telegram_payment_charge_id }, "payment for an unknown pack; not credited");
      return;
    }
    if (result.kind === "credited") {
      logger.info({ user: ctx.from.id, credits: result.credits, stars: payment.total_amount, plan: !!result.pack.plan }, "payment credited");
      if (!result.pack.plan) await replyTo(ctx, "payment-received", { credits: result.credits, balance: result.balance });
      else {
        const renewal = payment.is_recurring && !payment.is_first_recurring;
        const date = renewalDate(renewsUntil ?? new Date());
        await replyTo(ctx, renewal ? "plan-renewed" : "plan-started", { credits: result.credits, balance: result.balance, date });
      }
    }
    // A redelivered update credits nothing, but finishes the bonuses an interrupted first run left.
    await tellAll(ctx, result.told);
  });

  feature.on("message:refunded_payment", async (ctx) => {
    const refund = ctx.msg.refunded_payment;
    const result = await settleRefund(accounts, refund.telegram_payment_charge_id);
    if (result.kind === "taken") {
      logger.info({ user: result.userId, credits: result.credits }, "refunded payment: credits taken back");
      await replyTo(ctx, "payment-refunded", { stars: refund.total_amount, credits: result.credits, balance: result.balance });
    }
    await tellAll(ctx, result.told);
  });

  feature.command("paysupport", (ctx) =>
    config.supportContact ? replyTo(ctx, "paysupport", { contact: escapeHtml(config.supportContact) }) : replyTo(ctx, "paysupport-here"),
  );
  feature.command("terms", (ctx) => replyTo(ctx, "terms"));
  return feature;
}
