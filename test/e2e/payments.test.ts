/**
 * Telegram Stars through the real app (polling mode, so the fake delivers only the update kinds
 * the bot subscribed to): /buy invoices, the pre-checkout check, crediting once per charge id,
 * refunds, and the admin commands.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { photoFrom, taskFor, user } from "../support/scenario.js";

type Fakes = Awaited<ReturnType<typeof startFakes>>;
const ADMIN = 9900;

let fakes: Fakes;
let tg: FakeTelegram;
let app: TestApp;

beforeAll(async () => {
  fakes = await startFakes();
  tg = fakes.telegram;
  app = await startTestApp({
    mode: "polling",
    telegram: fakes.telegram,
    minimax: fakes.minimax,
    mongoUri: testDatabaseUri("payments"),
    // A default length other than 6 s: the invoice names the configured one.
    env: { ADMIN_USER_IDS: `${ADMIN}`, STARS_PACKS: "10:50,50:200", SUPPORT_CONTACT: "@astrolus_help", DEFAULT_DURATION: "10" },
  });
});
afterAll(async () => {
  await app?.stop();
  await fakes?.close();
});

/** Sends a text (a command) and returns the bot's reply to it. */
async function say(chatId: number, text: string) {
  const update = tg.textUpdate({ chatId, text });
  await tg.deliver(update);
  return replyToUpdate(chatId, update);
}
const replyToUpdate = (chatId: number, update: Update) =>
  tg.waitFor(() => tg.messages(chatId).find((m) => m.reply_to_message?.message_id === update.message!.message_id), 10_000, `the reply to ${update.message!.message_id}`);

async function balanceOf(userId: number) {
  const [head] = await app.db.models.Ledger.find({ user_id: userId }).sort({ seq: -1 }).limit(1).lean();
  return head?.balance;
}

/** /buy, then the invoice of the pack with `credits`. */
async function buy(chatId: number, credits: number) {
  await say(chatId, "/buy");
  return tg.waitFor(() => tg.invoices.find((i) => i.chat_id === chatId && i.payload === `credits:${credits}:${credits === 10 ? 50 : 200}`), 10_000, "the invoice");
}

describe("/buy with Telegram Stars", () => {
  it("subscribes to pre-checkout queries and lists the money commands", async () => {
    expect(tg.myCommands().map((c) => c.command)).toEqual(expect.arrayContaining(["balance", "buy"]));
    // Polling: the fake hands out only the update kinds in allowed_updates.
    const poll = await tg.waitForCall("getUpdates", (c) => Array.isArray(c.params.allowed_updates));
    expect(poll.params.allowed_updates).toEqual(expect.arrayContaining(["message", "pre_checkout_query"]));
  });

  it("sends one Stars invoice per pack: XTR, one price item, an empty provider token", async () => {
    await say(9001, "/buy");
    const invoices = await tg.waitFor(() => (tg.invoices.filter((i) => i.chat_id === 9001).length === 2 ? tg.invoices.filter((i) => i.chat_id === 9001) : undefined));
    expect(invoices.map((i) => [i.title, i.currency, i.total_amount, i.payload, i.prices.length, i.provider_token])).toEqual([
      ["10 credits", "XTR", 50, "credits:10:50", 1, ""],
      ["50 credits", "XTR", 200, "credits:50:200", 1, ""],
    ]);
    expect(invoices[0]!.description).toBe("10 credits for Astrolus videos. A 10-second video costs 2 credits. If MiniMax does not make it, its credits come back to your balance.");
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("a paid pack is credited once, even when Telegram delivers successful_payment again", async () => {
    const invoice = await buy(9002, 10);
    const paid = await tg.pay({ chatId: 9002, invoice });
    expect(paid.answer).toEqual({ pre_checkout_query_id: expect.any(String), ok: true });
    const thanks = await replyToUpdate(9002, paid.update!);
    expect(thanks.text).toBe("✅ Thank you! 10 credits added. Your balance: 13 credits.");
    // The same update again, and the same charge in a new update (another instance, a replay).
    await tg.deliver(paid.update!);
    const replay = tg.successfulPaymentUpdate({ chatId: 9002, invoicePayload: invoice.payload, totalAmount: 50, chargeId: paid.chargeId });
    await tg.deliver(replay);
    await say(9002, "/balance"); // handled after both, in order
    expect(await balanceOf(9002)).toBe(13);
    const purchases = await app.db.models.Ledger.find({ user_id: 9002, kind: "purchase" }).lean();
    expect(purchases).toHaveLength(1);
    expect(purchases[0]).toMatchObject({ credits: 10, stars: 50, charge_id: paid.chargeId });
    expect(tg.messages(9002).filter((m) => m.text?.startsWith("✅ Thank you"))).toHaveLength(1);
  });

  it("a checkout for an amount or a pack not on sale is refused with a reason, and nothing is credited", async () => {
    const invoice = await buy(9003, 10);
    const cheap = await tg.pay({ chatId: 9003, invoice, totalAmount: 1 });
    expect(cheap.answer).toMatchObject({ ok: false, error_message: "No Telegram Stars were charged: this pack is no longer on sale. Send /buy to see the current packs." });
    const forged = await tg.pay({ chatId: 9003, invoice: { ...invoice, payload: "credits:1000:50" } });
    expect(forged.answer.ok).toBe(false);
    expect(await app.db.models.Ledger.countDocuments({ user_id: 9003, kind: "purchase" })).toBe(0);
  });

  it("a refunded_payment message takes the credits back, once", async () => {
    const invoice = await buy(9004, 10);
    const paid = await tg.pay({ chatId: 9004, invoice });
    await replyToUpdate(9004, paid.update!);
    expect(await balanceOf(9004)).toBe(13);
    const refund = tg.refundedPaymentUpdate({ chatId: 9004, chargeId: paid.chargeId! });
    await tg.deliver(refund);
    expect((await replyToUpdate(9004, refund)).text).toBe("↩️ Your payment of 50 ⭐ was refunded, and 10 credits were taken back. Your balance: 3 credits.");
    await tg.deliver(refund);
    await say(9004, "/balance");
    expect(await balanceOf(9004)).toBe(3);
    expect(await app.db.models.Ledger.countDocuments({ user_id: 9004, kind: "refund" })).toBe(1);
  });

  it("/paysupport and /terms answer", async () => {
    expect((await say(9005, "/paysupport")).text).toMatch(/write to @astrolus_help/);
    expect((await say(9005, "/terms")).text).toMatch(/^📄 Terms of sale/);
  });
});

describe("admin commands", () => {
  it("a non-admin /grant, /refund or /stats gets the unknown-command answer and changes nothing", async () => {
    const before = await app.db.models.Ledger.countDocuments();
    for (const text of ["/grant 9101 100", "/refund stxTsomething", "/stats"]) {
      expect((await say(9101, text)).text).toMatch(/^🤖 I make videos from product photos/);
    }
    expect(tg.starRefunds).toEqual([]);
    expect(await app.db.models.Ledger.countDocuments({ kind: "grant" })).toBe(0);
    expect(await app.db.models.Ledger.countDocuments()).toBe(before);
  });

  it("/grant adds credits once per command, and a negative grant stops at zero", async () => {
    const grant = tg.textUpdate({ chatId: ADMIN, text: "/grant 9102 5" });
    await tg.deliver(grant);
    expect((await replyToUpdate(ADMIN, grant)).text).toBe("✅ User 9102: +5; balance now 8 credits.");
    await tg.deliver(grant); // redelivered
    await say(ADMIN, "/grant 9102 -100");
    expect(await balanceOf(9102)).toBe(0);
    const grants = await app.db.models.Ledger.find({ user_id: 9102, kind: "grant" }).sort({ seq: 1 }).lean();
    expect(grants.map((g) => [g.credits, g.by])).toEqual([
      [5, ADMIN],
      [-8, ADMIN],
    ]);
    expect((await say(ADMIN, "/grant 9102")).text).toMatch(/^Usage: \/grant/);
  });

  it("/refund refunds the Stars and takes the credits back; the refund message after it takes nothing more", async () => {
    const invoice = await buy(9103, 50);
    const paid = await tg.pay({ chatId: 9103, invoice });
    await replyToUpdate(9103, paid.update!);
    expect(await balanceOf(9103)).toBe(53);
    expect((await say(ADMIN, `/refund ${paid.chargeId}`)).text).toBe(`↩️ Refunded 200 ⭐ to user 9103; 50 credits taken back, balance now 3 credits.`);
    expect(tg.starRefunds).toEqual([{ user_id: 9103, telegram_payment_charge_id: paid.chargeId }]);
    await tg.deliver(tg.refundedPaymentUpdate({ chatId: 9103, chargeId: paid.chargeId! }));
    await say(9103, "/balance");
    expect(await balanceOf(9103)).toBe(3);
    expect((await say(ADMIN, "/refund stxTunknown")).text).toBe("No payment with id stxTunknown is recorded.");
  });

  it("/stats counts users, today's generations by phase, failures by code, credits spent and sold", async () => {
    await tg.deliver(photoFrom(tg, user(9104), "stats: the vase turns").update);
    const task = await taskFor(fakes.minimax, "stats: the vase turns");
    await fakes.minimax.fail(task.taskId, 1026);
    await eventually(() => app.db.models.Generation.findOne({ user_id: 9104, phase: "failed" }), 10_000, "the failure");
    await tg.deliver(photoFrom(tg, user(9105), "stats: the vase shines").update);
    const made = await taskFor(fakes.minimax, "stats: the vase shines");
    await fakes.minimax.succeed(made.taskId, makeMp4({ payloadBytes: 30_000 }));
    await eventually(() => app.db.models.Generation.findOne({ user_id: 9105, phase: "delivered" }), 10_000, "the video");
    const text = (await say(ADMIN, "/stats")).text!;
    const users = await app.db.models.Ledger.countDocuments({ kind: "welcome" });
    expect(text).toContain(`📊 Users: ${users}`);
    expect(text).toContain("Jobs today (UTC): delivered 1, failed 1");
    expect(text).toContain("Failures today by code: sensitive_input 1");
    // Sold: the packs bought above and not refunded count too (10 + 10 + 50).
    expect(text).toMatch(/Credits spent: 2; sold: 70 for 300 ⭐/); // one 10-second video at 2 credits
  });
});
