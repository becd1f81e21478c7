/**
 * Issue 16, item 7: Telegram's own account of the bot's Stars (getStarTransactions) is checked
 * against the ledger; what an update should have done and did not is settled once, from either side.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually, startTestApp, type TestApp } from "../support/app.js";
import { useTestApp } from "../support/suite.js";

const ADMIN = 9950;
const PAYLOAD = "credits:10:50";
const reconciled = async (app: TestApp, kind: string) => {
  const metric = await app.metrics.registry.getSingleMetric("astrolus_stars_reconciled_total")!.get();
  return metric.values.find((v) => v.labels.kind === kind)?.value ?? 0;
};

// The Bot API says "chronological order"; the MTProto call beneath it lists the newest first.
describe.each(["oldest-first", "newest-first"] as const)("the reconciliation pass (every second here), Telegram listing its transactions %s", (order) => {
  const s = useTestApp(`starsrec-${order}`, {
    mode: "polling",
    env: { STARS_RECONCILE_INTERVAL_S: "1", STARS_PACKS: "10:50", ADMIN_USER_IDS: String(ADMIN) },
    fakes: { telegram: { starTransactionOrder: order } },
  });
  const ledger = (filter: Record<string, unknown>) => s.app.db.models.Ledger.find(filter).lean();
  /** The ledger's entries matching `filter`, once there are any. */
  const entries = (filter: Record<string, unknown>, what: string) =>
    eventually(async () => {
      const found = await ledger(filter);
      return found.length > 0 && found;
    }, 10_000, what);
  const credited = (chargeId: string) => entries({ kind: "purchase", charge_id: chargeId }, "the credit");
  const takenBack = (userId: number) => entries({ kind: "refund", user_id: userId }, "the credits taken back");

  it("credits once a payment whose update never arrived, tells the user, counts it; the late update adds nothing", async () => {
    const lost = s.tg.successfulPaymentUpdate({ chatId: 9951, invoicePayload: PAYLOAD, totalAmount: 50 }); // never delivered
    const charge = lost.message!.successful_payment!.telegram_payment_charge_id;
    const [purchase] = await credited(charge);
    expect(purchase).toMatchObject({ user_id: 9951, credits: 10, stars: 50 });
    const told = await s.tg.waitFor(() => s.tg.messages(9951).find((m) => /went through/.test(m.text ?? "")), 10_000, "the user told");
    expect(told.text).toBe("✅ Your payment of 50 ⭐ went through: 10 credits added. Your balance is now 13 credits. Sorry for the delay.");
    expect(await reconciled(s.app, "payment")).toBe(1);
    expect(s.app.logs.some((l) => l.includes("its update was lost"))).toBe(true);

    // Telegram's update arrives after all: found done, no second credit, no second message.
    await s.tg.deliver(lost);
    await s.tg.deliver(s.tg.textUpdate({ chatId: 9951, text: "/balance" }));
    await s.tg.waitFor(() => s.tg.messages(9951).find((m) => /Your balance: 13 credits/.test(m.text ?? "")), 10_000, "the balance");
    await new Promise((r) => setTimeout(r, 1_500)); // another pass or two
    expect(await ledger({ kind: "purchase", user_id: 9951 })).toHaveLength(1);
    expect(s.tg.messages(9951).filter((m) => /Thank you|went through/.test(m.text ?? ""))).toHaveLength(1);
    expect(await reconciled(s.app, "payment")).toBe(1);
  });

  it("takes back once a refund whose update never arrived, and /stats shows Telegram's figures beside the ledger's", async () => {
    const paid = s.tg.successfulPaymentUpdate({ chatId: 9952, invoicePayload: PAYLOAD, totalAmount: 50 });
    await s.tg.deliver(paid);
    await eventually(async () => (await ledger({ kind: "purchase", user_id: 9952 })).length === 1, 10_000, "the credit");
    s.tg.refundedPaymentUpdate({ chatId: 9952, chargeId: paid.message!.successful_payment!.telegram_payment_charge_id }); // never delivered
    const [refund] = await takenBack(9952);
    expect(refund).toMatchObject({ credits: -10, stars: 50 });
    await s.tg.waitFor(() => s.tg.messages(9952).find((m) => /was refunded/.test(m.text ?? "")), 10_000, "the user told");
    expect(await reconciled(s.app, "refund")).toBe(1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ledger({ kind: "refund", user_id: 9952 })).toHaveLength(1);

    await s.tg.deliver(s.tg.textUpdate({ chatId: ADMIN, text: "/stats" }));
    const stats = await s.tg.waitFor(() => s.tg.messages(ADMIN).find((m) => /Stars according to Telegram/.test(m.text ?? "")), 10_000, "/stats");
    // Telegram: 50 + 50 in, 50 refunded; the ledger has settled the same.
    expect(stats.text).toMatch(/received 100 ⭐, refunded 50 ⭐; in the ledger: received 100 ⭐, refunded 50 ⭐; difference: 0 ⭐ \/ 0 ⭐/);
  });

  it("credits a lost payment behind more than a page of other transactions (withdrawals to Fragment), once", async () => {
    const lost = s.tg.successfulPaymentUpdate({ chatId: 9953, invoicePayload: PAYLOAD, totalAmount: 50 });
    for (let i = 0; i < 150; i++) s.tg.withdrawStars(1);
    const [purchase] = await credited(lost.message!.successful_payment!.telegram_payment_charge_id);
    expect(purchase).toMatchObject({ user_id: 9953, credits: 10, stars: 50 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ledger({ user_id: 9953, kind: "purchase" })).toHaveLength(1);
    expect(s.tg.messages(9953).filter((m) => /went through/.test(m.text ?? ""))).toHaveLength(1);
  });

  it("credits the pack a lost payment's payload names, though an affiliate's commission makes Telegram's amount smaller", async () => {
    const lost = s.tg.successfulPaymentUpdate({ chatId: 9954, invoicePayload: PAYLOAD, totalAmount: 50, affiliate: { commissionPerMille: 200, userId: 9959 } });
    const tx = s.tg.starTransactions.find((t) => t.id === lost.message!.successful_payment!.telegram_payment_charge_id)!;
    expect(tx.amount).toBe(40);
    const [purchase] = await credited(tx.id);
    expect(purchase).toMatchObject({ user_id: 9954, credits: 10, stars: 50 });
    const told = await s.tg.waitFor(() => s.tg.messages(9954).find((m) => /went through/.test(m.text ?? "")), 10_000, "the user told");
    expect(told.text).toBe("✅ Your payment of 50 ⭐ went through: 10 credits added. Your balance is now 13 credits. Sorry for the delay.");
  });

  it("takes back the credits of a payment charged back at the store (an outgoing transaction to 'other', no refunded_payment message), once", async () => {
    const paid = s.tg.successfulPaymentUpdate({ chatId: 9955, invoicePayload: PAYLOAD, totalAmount: 50 });
    await s.tg.deliver(paid);
    await credited(paid.message!.successful_payment!.telegram_payment_charge_id);
    s.tg.chargeback(paid.message!.successful_payment!.telegram_payment_charge_id);
    const [refund] = await takenBack(9955);
    expect(refund).toMatchObject({ credits: -10, stars: 50 });
    await s.tg.waitFor(() => s.tg.messages(9955).find((m) => /was refunded/.test(m.text ?? "")), 10_000, "the user told");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ledger({ kind: "refund", user_id: 9955 })).toHaveLength(1);
    expect((await s.app.db.models.Ledger.findOne({ user_id: 9955 }).sort({ seq: -1 }).lean())!.balance).toBe(3);

    // Telegram's figures, whichever order it lists them in: five payments at their price (the
    // affiliate's at 50, not the 40 the bot kept), two refunds (one a chargeback), no withdrawal.
    const asked = s.tg.textUpdate({ chatId: ADMIN, text: "/stats" });
    await s.tg.deliver(asked);
    const stats = await s.tg.waitFor(() => s.tg.messages(ADMIN).find((m) => m.message_id > asked.message!.message_id && /Stars according to Telegram/.test(m.text ?? "")), 10_000, "/stats");
    expect(stats.text).toMatch(/received 250 ⭐, refunded 100 ⭐; in the ledger: received 250 ⭐, refunded 100 ⭐; difference: 0 ⭐ \/ 0 ⭐/);
  });
});

describe("two instances reconciling at once", () => {
  const s = useTestApp("starsrec2", { mode: "webhook", env: { STARS_RECONCILE_INTERVAL_S: "0", STARS_PACKS: "10:50" } });
  let second: TestApp | undefined;
  afterAll(() => second?.stop());

  it("settle each lost payment and refund once", async () => {
    second = await startTestApp({ mode: "webhook", telegram: s.tg, minimax: s.mm, mongoUri: s.app.config.mongodbUri!, env: { STARS_RECONCILE_INTERVAL_S: "0", STARS_PACKS: "10:50" } });
    const payers = [9961, 9962, 9963, 9964];
    const charges = payers.map((chatId) => s.tg.successfulPaymentUpdate({ chatId, invoicePayload: PAYLOAD, totalAmount: 50 }).message!.successful_payment!.telegram_payment_charge_id);
    s.tg.refundedPaymentUpdate({ chatId: 9964, chargeId: charges[3]! });
    await Promise.all([s.app.reconciler.pass(), second.reconciler.pass(), s.app.reconciler.pass()]);
    const { Ledger } = s.app.db.models;
    for (const [i, chatId] of payers.entries()) {
      expect(await Ledger.countDocuments({ kind: "purchase", charge_id: charges[i] })).toBe(1);
      expect(s.tg.messages(chatId).filter((m) => /went through/.test(m.text ?? ""))).toHaveLength(1);
    }
    expect(await Ledger.countDocuments({ kind: "refund" })).toBe(1);
    const heads = await Promise.all(payers.map(async (userId) => (await Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).lean())!.balance));
    expect(heads).toEqual([13, 13, 13, 3]);
    expect((await reconciled(s.app, "payment")) + (await reconciled(second, "payment"))).toBe(4);
    expect((await reconciled(s.app, "refund")) + (await reconciled(second, "refund"))).toBe(1);
  });
});
