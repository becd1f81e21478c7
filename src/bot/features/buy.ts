import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { escapeHtml } from "../../telegram/i18n.js";
import { createAccounts } from "../../credits/accounts.js";
import { checkoutPack, creditPayment, packInvoice, takeBack } from "../../credits/payments.js";
import { defaultVideo } from "../../generations/admission.js";

/**
 * /buy sells the STARS_PACKS for Telegram Stars: one invoice per pack (XTR, one price item, no
 * provider token). The checkout is approved only for a pack on sale at its price; the credits
 * arrive with successful_payment, once per charge id, and leave again with refunded_payment.
 */
export function buyFeature({ config, models, logger }: BotDeps) {
  const accounts = createAccounts(models, config);
  const video = defaultVideo(config);
  const feature = new Composer<BotContext>();

  feature.command("buy", async (ctx) => {
    await replyTo(ctx, "buy-intro");
    for (const pack of config.starsPacks) {
      const invoice = packInvoice(pack, video, (key, variables) => ctx.t(key, variables));
      await ctx.replyWithInvoice(invoice.title, invoice.description, invoice.payload, invoice.currency, invoice.prices, { provider_token: "" });
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
    const result = await creditPayment(accounts, ctx.from.id, payment);
    if (result.kind === "unknown") {
      // Paid, yet not for anything we sell: the operator has to look (and refund with /refund).
      logger.error({ user: ctx.from.id, charge: payment.telegram_payment_charge_id }, "payment for an unknown pack; not credited");
      return;
    }
    if (result.kind === "already") return; // a redelivered update: credited the first time
    logger.info({ user: ctx.from.id, credits: result.credits, stars: payment.total_amount }, "payment credited");
    return replyTo(ctx, "payment-received", { credits: result.credits, balance: result.balance });
  });

  feature.on("message:refunded_payment", async (ctx) => {
    const refund = ctx.msg.refunded_payment;
    const result = await takeBack(accounts, refund.telegram_payment_charge_id);
    if (result.kind !== "taken") return;
    logger.info({ user: result.userId, credits: result.credits }, "refunded payment: credits taken back");
    return replyTo(ctx, "payment-refunded", { stars: refund.total_amount, credits: result.credits, balance: result.balance });
  });

  feature.command("paysupport", (ctx) =>
    config.supportContact ? replyTo(ctx, "paysupport", { contact: escapeHtml(config.supportContact) }) : replyTo(ctx, "paysupport-here"),
  );
  feature.command("terms", (ctx) => replyTo(ctx, "terms"));
  return feature;
}
