/**
 * Issue 16, defects 5 and 6: what a user owns stays in their private chat, and a payment is never
 * dropped by the access list.
 */
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { photoFrom, user } from "../support/scenario.js";

describe("/history, /balance and ✍️ New prompt in a group", () => {
  const s = useTestApp("privgroup", { mode: "polling" });
  const GROUP = -9810;

  it("/history and /balance point to the private chat and show nothing of the user's", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 20_000 }) });
    const who = user(9811);
    await s.tg.deliver(photoFrom(s.tg, who, "confidential: the new bag opens").update);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_id: who.userId, phase: "delivered" }).lean(), 15_000, "the video");

    for (const [i, text] of ["/history", "/balance"].entries()) {
      await s.tg.deliver(s.tg.textUpdate({ chatId: GROUP, userId: who.userId, groupTitle: "Shop team", text }));
      const answer = await s.tg.waitFor(() => s.tg.messages(GROUP)[i], 10_000, `the answer to ${text}`);
      expect(answer.text).toMatch(/only in our private chat/);
      expect(answer.reply_markup).toBeUndefined();
      for (const secret of ["confidential", gen.short_id]) expect(answer.text).not.toContain(secret);
      expect(answer.text).not.toMatch(/\d+ credits?/);
    }
    expect(s.tg.videosSent(GROUP)).toHaveLength(0);

    // In the private chat both answer as before.
    await s.tg.deliver(s.tg.textUpdate({ chatId: who.chatId, text: "/balance" }));
    await s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => /Your balance: 2 credits/.test(m.text ?? "")), 10_000, "the private balance");
  });

  it("✍️ New prompt pressed in a group parks no photo", async () => {
    const who = user(9812);
    await s.tg.deliver(photoFrom(s.tg, who, "the scarf flutters").update);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_id: who.userId }).lean(), 10_000, "the generation");
    // Any bot message in the group carries the press (Telegram clients can send any callback data).
    await s.tg.deliver(s.tg.textUpdate({ chatId: GROUP - 1, userId: who.userId, groupTitle: "Shop team 2", text: "/status" }));
    const there = await s.tg.waitFor(() => s.tg.messages(GROUP - 1)[0], 10_000, "a bot message in the group");
    const press = s.tg.callbackQueryUpdate({ chatId: GROUP - 1, userId: who.userId, groupTitle: "Shop team 2", messageId: there.message_id, data: `prompt:${gen.short_id}` });
    await s.tg.deliver(press);
    const answer = await s.tg.waitFor(() => s.tg.callbackAnswers.find((a) => a.callback_query_id === press.callback_query!.id), 10_000, "the answer to the press");
    expect(answer.text).toMatch(/private chat/);
    expect((await s.app.db.models.User.findById(who.userId).lean())?.pending_photo ?? undefined).toBeUndefined();
    expect(s.tg.messages(GROUP - 1).filter((m) => /Describe the new motion/.test(m.text ?? ""))).toHaveLength(0);
  });
});

describe("ALLOWED_USER_IDS and payments", () => {
  const s = useTestApp("privallowed", { mode: "polling", env: { ALLOWED_USER_IDS: "9821", STARS_PACKS: "10:50" } });

  it("a payer no longer on the list is credited, and a refund to them is taken back", async () => {
    const payer = user(9822);
    const paid = s.tg.successfulPaymentUpdate({ chatId: payer.chatId, invoicePayload: "credits:10:50", totalAmount: 50 });
    await s.tg.deliver(paid);
    const purchase = await eventually(() => s.app.db.models.Ledger.findOne({ user_id: payer.userId, kind: "purchase" }).lean(), 10_000, "the credit");
    expect(purchase.credits).toBe(10);
    await s.tg.deliver(s.tg.refundedPaymentUpdate({ chatId: payer.chatId, chargeId: paid.message!.successful_payment!.telegram_payment_charge_id }));
    await eventually(() => s.app.db.models.Ledger.findOne({ user_id: payer.userId, kind: "refund" }).lean(), 10_000, "the refund");
    // Everything else from them still meets the gate.
    await s.tg.deliver(s.tg.textUpdate({ chatId: payer.chatId, text: "/balance" }));
    await s.tg.waitFor(() => s.tg.messages(payer.chatId).find((m) => /This bot is private/.test(m.text ?? "")), 10_000, "the gate");
  });
});
