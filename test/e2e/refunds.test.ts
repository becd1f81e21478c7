import { describe, expect, it } from "vitest";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { photoFrom, taskFor, user } from "../support/scenario.js";

/**
 * Issue 16, defect 4: a refund while some of the pack's credits are reserved by jobs in flight.
 * Those credits come back to the balance when the jobs fail, so the refund must count them.
 */
describe("a refund while credits are reserved", () => {
  // 10 s at 768P costs 2 credits; a new user starts with none.
  const s = useTestApp("refundreserved", { mode: "polling", env: { FREE_CREDITS: "0", DEFAULT_DURATION: "10", MAX_ACTIVE_PER_USER: "2", STARS_PACKS: "10:50", ADMIN_USER_IDS: "9899" } });
  const balance = async (userId: number) => (await s.app.db.models.Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).lean())!;

  it("after the jobs fail, the user's spendable credits are what they had before the purchase", async () => {
    const who = user(9801);
    const paid = s.tg.successfulPaymentUpdate({ chatId: who.chatId, invoicePayload: "credits:10:50", totalAmount: 50 });
    await s.tg.deliver(paid);
    await eventually(async () => (await balance(who.userId))?.balance === 10, 10_000, "the pack credited");

    await s.tg.deliver(photoFrom(s.tg, who, "refund: the mug steams").update);
    await s.tg.deliver(photoFrom(s.tg, who, "refund: the mug spins").update);
    const tasks = [await taskFor(s.mm, "refund: the mug steams"), await taskFor(s.mm, "refund: the mug spins")];
    expect(await balance(who.userId)).toMatchObject({ balance: 6, in_flight: 2 });

    await s.tg.deliver(s.tg.refundedPaymentUpdate({ chatId: who.chatId, chargeId: paid.message!.successful_payment!.telegram_payment_charge_id }));
    const refund = await eventually(() => s.app.db.models.Ledger.findOne({ user_id: who.userId, kind: "refund" }).lean(), 10_000, "the refund");
    // All ten go: six from the balance, four from the reservations, which are still running.
    expect(refund.credits).toBe(-10);
    expect((await balance(who.userId)).balance).toBe(-4);
    // A negative grant stops at zero: it never turns a debt into a gift.
    await s.tg.deliver(s.tg.textUpdate({ chatId: 9899, text: `/grant ${who.userId} -5` }));
    await eventually(() => s.app.db.models.Ledger.findOne({ user_id: who.userId, kind: "grant" }).lean(), 10_000, "the grant");
    expect((await balance(who.userId)).balance).toBe(-4);

    for (const task of tasks) await s.mm.fail(task.taskId, 1026);
    const settled = await eventually(async () => {
      const head = await balance(who.userId);
      return head.in_flight === 0 && head;
    }, 10_000, "both jobs settled");
    expect(settled.balance).toBe(0);
    expect(await s.app.db.models.Ledger.countDocuments({ user_id: who.userId, kind: "release" })).toBe(2);
  });
});
