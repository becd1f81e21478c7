/**
 * Issue 29, the monthly plan: a Stars subscription sold through an invoice link with a 30-day
 * period; its first payment and each renewal credited once (a replayed renewal adds nothing), a lost
 * renewal credited by the reconciliation, /balance showing the plan with Cancel renewal and Resume
 * renewal (editUserStarSubscription), and a refund taking a plan payment's credits back.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { useTestApp } from "../support/suite.js";
import { buttonLabels, press } from "../support/scenario.js";

const PAYLOAD = "plan:30:450";
const SUBSCRIBER = 7901;

describe("the monthly plan", () => {
  const s = useTestApp("plans", { mode: "polling", env: { STARS_PACKS: "10:50", PLANS: "30:450", STARS_RECONCILE_INTERVAL_S: "0" } });
  const reply = (chatId: number, update: Update) =>
    s.tg.waitFor(() => s.tg.messages(chatId).find((m) => m.reply_to_message?.message_id === update.message!.message_id), 10_000, `the reply to ${update.message!.message_id}`);
  async function say(chatId: number, text: string) {
    const update = s.tg.textUpdate({ chatId, text });
    await s.tg.deliver(update);
    return reply(chatId, update);
  }
  const purchases = (userId: number) => s.app.db.models.Ledger.find({ user_id: userId, kind: "purchase" }).sort({ seq: 1 }).lean();
  const balanceOf = async (userId: number) => (await s.app.db.models.Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).lean())?.balance;
  const day = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

  it("/buy offers the plan beside the packs, as a subscription invoice link of 30 days", async () => {
    await say(SUBSCRIBER, "/buy");
    const offer = await s.tg.waitFor(() => s.tg.messages(SUBSCRIBER).find((m) => /Monthly plan/.test(m.text ?? "")), 10_000, "the plan's offer");
    expect(offer.text).toBe("📅 Monthly plan: 30 credits every 30 days for 450 ⭐. Cancel the renewal any time in /balance.");
    const [link] = s.tg.invoiceLinks;
    expect(link).toMatchObject({ payload: PAYLOAD, currency: "XTR", total_amount: 450, subscription_period: 2592000, title: "30 credits a month" });
    expect((offer.reply_markup as { inline_keyboard: Array<Array<{ text: string; url: string }>> }).inline_keyboard[0]![0]).toEqual({ text: "📅 Subscribe for 450 ⭐", url: link!.link });
    expect(s.tg.invoices.filter((i) => i.chat_id === SUBSCRIBER).map((i) => i.payload)).toEqual(["credits:10:50"]);
    // The checkout goes through for the plan at its price, not for a plan not on sale.
    expect((await s.tg.pay({ chatId: 7902, invoice: { payload: "plan:300:450", total_amount: 450, currency: "XTR" } })).answer.ok).toBe(false);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("the first payment and a renewal are credited, the renewal's update replayed is not: twice, not three times", async () => {
    const now = Math.floor(Date.now() / 1000);
    const first = s.tg.subscriptionPaymentUpdate({ chatId: SUBSCRIBER, invoicePayload: PAYLOAD, totalAmount: 450, first: true, paidAt: now - 30 * 86400 });
    await s.tg.deliver(first);
    expect((await reply(SUBSCRIBER, first)).text).toBe(`✅ Thank you! Your monthly plan is on: 30 credits added, the next ones on ${day(now)}. Your balance: 33 credits.`);
    const renewal = s.tg.subscriptionPaymentUpdate({ chatId: SUBSCRIBER, invoicePayload: PAYLOAD, totalAmount: 450, first: false, paidAt: now });
    await s.tg.deliver(renewal);
    expect((await reply(SUBSCRIBER, renewal)).text).toBe(`✅ Your monthly plan was renewed: 30 credits added, the next ones on ${day(now + 2592000)}. Your balance: 63 credits.`);
    await s.tg.deliver(renewal);
    const chargeId = renewal.message!.successful_payment!.telegram_payment_charge_id;
    await s.tg.deliver(s.tg.subscriptionPaymentUpdate({ chatId: SUBSCRIBER, invoicePayload: PAYLOAD, totalAmount: 450, first: false, chargeId, paidAt: now }));
    await s.app.reconciler.pass();
    await say(SUBSCRIBER, "/balance");
    expect((await purchases(SUBSCRIBER)).map((p) => [p.credits, p.stars])).toEqual([
      [30, 450],
      [30, 450],
    ]);
    expect(await balanceOf(SUBSCRIBER)).toBe(63);
    expect(s.tg.messages(SUBSCRIBER).filter((m) => /monthly plan/i.test(m.text ?? "") && /added/.test(m.text ?? ""))).toHaveLength(2);
  });

  it("/balance shows the plan and its renewal; Cancel renewal and Resume renewal call editUserStarSubscription", async () => {
    const renewalCharge = (await purchases(SUBSCRIBER)).at(-1)!.charge_id;
    const balance = await say(SUBSCRIBER, "/balance");
    const date = (await purchases(SUBSCRIBER)).at(-1)!.renews_until!.toISOString().slice(0, 10);
    expect(balance.text).toContain(`📅 Monthly plan: 30 credits for 450 ⭐; renews on ${date}.`);
    expect(balance.text).toContain("monthly plan, 450 ⭐");
    expect(buttonLabels(s.tg, SUBSCRIBER, balance.message_id)).toEqual([["Cancel renewal"]]);

    const cancelled = await press(s.tg, { chatId: SUBSCRIBER, userId: SUBSCRIBER }, balance.message_id, "Cancel renewal");
    expect(cancelled.text).toBe(`📅 Monthly plan: 30 credits for 450 ⭐; renewal cancelled, it ends on ${date}.`);
    expect(s.tg.subscriptionEdits).toEqual([{ user_id: SUBSCRIBER, telegram_payment_charge_id: renewalCharge, is_canceled: true }]);
    await s.tg.waitFor(() => buttonLabels(s.tg, SUBSCRIBER, balance.message_id)[0]?.[0] === "Resume renewal", 10_000, "the button turned");
    expect((await say(SUBSCRIBER, "/balance")).text).toContain("renewal cancelled");

    await press(s.tg, { chatId: SUBSCRIBER, userId: SUBSCRIBER }, balance.message_id, "Resume renewal");
    expect(s.tg.subscriptionEdits.at(-1)).toEqual({ user_id: SUBSCRIBER, telegram_payment_charge_id: renewalCharge, is_canceled: false });
    expect((await say(SUBSCRIBER, "/balance")).text).toContain(`renews on ${date}.`);
  });

  it("a renewal whose update was lost is credited by the reconciliation and told", async () => {
    const user = 7903;
    const first = s.tg.subscriptionPaymentUpdate({ chatId: user, invoicePayload: PAYLOAD, totalAmount: 450, first: true, paidAt: Math.floor(Date.now() / 1000) - 30 * 86400 });
    await s.tg.deliver(first);
    await reply(user, first);
    const lost = s.tg.subscriptionPaymentUpdate({ chatId: user, invoicePayload: PAYLOAD, totalAmount: 450, first: false }); // never delivered
    await s.app.reconciler.pass();
    const credited = await purchases(user);
    expect(credited).toHaveLength(2);
    expect(credited[1]).toMatchObject({ charge_id: lost.message!.successful_payment!.telegram_payment_charge_id, credits: 30 });
    expect(credited[1]!.renews_until!.getTime()).toBeGreaterThan(Date.now() + 29 * 86400_000);
    await s.tg.waitFor(() => s.tg.messages(user).find((m) => m.text === "✅ Your payment of 450 ⭐ went through: 30 credits added. Your balance is now 63 credits. Sorry for the delay."), 10_000, "told");
  });

  it("a refund of a plan payment takes its credits back, and the plan no longer shows", async () => {
    const user = 7904;
    const paid = s.tg.subscriptionPaymentUpdate({ chatId: user, invoicePayload: PAYLOAD, totalAmount: 450, first: true });
    await s.tg.deliver(paid);
    await reply(user, paid);
    const refund = s.tg.refundedPaymentUpdate({ chatId: user, chargeId: paid.message!.successful_payment!.telegram_payment_charge_id });
    await s.tg.deliver(refund);
    expect((await reply(user, refund)).text).toBe("↩️ Your payment of 450 ⭐ was refunded, and 30 credits were taken back. Your balance: 3 credits.");
    const balance = await say(user, "/balance");
    expect(balance.text).not.toContain("📅");
    expect(buttonLabels(s.tg, user, balance.message_id)).toEqual([]);
  });
});
