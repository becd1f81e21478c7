/**
 * Issue 29, referral links: /invite's link, who gets linked (once, never oneself, never a user seen
 * before), the bonuses on the invited user's first Stars payment (once each, told to each, even
 * when the payment's update comes again and the reconciliation finds it too), and a refund taking
 * both back.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { useTestApp } from "../support/suite.js";
import type { LedgerKind } from "../../src/db/models.js";

const ADMIN = 7700;
const INVITER = 7701;
const INVITEE = 7702;
const PAYLOAD = "credits:10:50";

describe("referral links", () => {
  const s = useTestApp("referrals", {
    mode: "polling",
    env: { STARS_PACKS: "10:50", REFERRAL_BONUS_INVITER: "5", REFERRAL_BONUS_INVITEE: "2", ADMIN_USER_IDS: String(ADMIN), STARS_RECONCILE_INTERVAL_S: "0" },
  });
  const reply = (chatId: number, update: Update) =>
    s.tg.waitFor(() => s.tg.messages(chatId).filter((m) => m.reply_to_message?.message_id === update.message!.message_id).at(-1), 10_000, `the reply to ${update.message!.message_id}`);
  async function say(chatId: number, text: string, languageCode = "en") {
    const update = s.tg.textUpdate({ chatId, text, languageCode });
    await s.tg.deliver(update);
    return reply(chatId, update);
  }
  /** /start with a link: the usual welcome, then the answer about the link, which is returned (the later of two replies). */
  async function startWith(chatId: number, payload: string) {
    const update = s.tg.textUpdate({ chatId, text: `/start ${payload}` });
    await s.tg.deliver(update);
    const replies = () => s.tg.messages(chatId).filter((m) => m.reply_to_message?.message_id === update.message!.message_id);
    return s.tg.waitFor(() => replies().length >= 2 && replies().at(-1), 10_000, `the answer to the link in ${update.message!.message_id}`);
  }
  const balanceOf = async (userId: number) => (await s.app.db.models.Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).lean())?.balance;
  const kinds = (userId: number, kind: LedgerKind) => s.app.db.models.Ledger.find({ user_id: userId, kind }).lean();
  let link = "";

  it("/invite shows the user's personal link and what it earns", async () => {
    const answer = (await say(INVITER, "/invite")).text!;
    link = /https:\/\/t\.me\/astrolus_test_bot\?start=(ref_[0-9a-z]+)/.exec(answer)?.[1] ?? "";
    expect(link).toMatch(/^ref_/);
    expect(answer).toContain("you get 5 credits and they get 2 credits");
    expect(answer).toContain("Invited so far: 0; of them paid: 0.");
    // The same link each time: it is derived from the user, not stored.
    expect((await say(INVITER, "/invite")).text).toContain(link);
  });

  it("links a new user once; refuses oneself, a user seen before, a second link and a forged code", async () => {
    const started = s.tg.textUpdate({ chatId: INVITEE, text: `/start ${link}` });
    await s.tg.deliver(started);
    await s.tg.waitFor(() => s.tg.messages(INVITEE).find((m) => /You came with an invitation/.test(m.text ?? "")), 10_000, "the invitee told");
    const welcome = await s.app.db.models.Ledger.findOne({ key: `welcome:${INVITEE}` }).lean();
    expect(welcome?.invited_by).toBe(INVITER);

    expect((await startWith(INVITER, link)).text).toMatch(/^This is your own invitation link/);
    expect((await s.app.db.models.Ledger.findOne({ key: `welcome:${INVITER}` }).lean())?.invited_by).toBeUndefined();

    // Someone else's link, for a user already linked: nothing changes.
    const other = (await say(7703, "/invite")).text!;
    const otherLink = /start=(ref_[0-9a-z]+)/.exec(other)![1]!;
    expect((await startWith(INVITEE, otherLink)).text).toMatch(/^This invitation link is for new users/);
    expect((await s.app.db.models.Ledger.findOne({ key: `welcome:${INVITEE}` }).lean())?.invited_by).toBe(INVITER);

    // A user who used the bot before (here: /start) is not linked by a link followed later.
    await say(7704, "/balance");
    expect((await startWith(7704, link)).text).toMatch(/^This invitation link is for new users/);
    expect((await s.app.db.models.Ledger.findOne({ key: "welcome:7704" }).lean())?.invited_by).toBeUndefined();

    // A made-up code names nobody.
    expect((await startWith(7705, `ref_${(7701).toString(36)}abcdef`)).text).toMatch(/^This invitation link is not valid/);
    expect(await s.app.db.models.Ledger.countDocuments({ invited_by: { $exists: true } })).toBe(1);
  });

  it("the first payment gives both bonuses once, told to each, though the update comes twice and reconciliation finds it", async () => {
    const inviterBefore = (await balanceOf(INVITER))!;
    const paid = s.tg.successfulPaymentUpdate({ chatId: INVITEE, invoicePayload: PAYLOAD, totalAmount: 50 });
    await s.tg.deliver(paid);
    await s.tg.waitFor(() => s.tg.messages(INVITER).find((m) => /Someone you invited made their first purchase/.test(m.text ?? "")), 10_000, "the inviter told");
    await s.tg.waitFor(() => s.tg.messages(INVITEE).find((m) => /Invitation bonus/.test(m.text ?? "")), 10_000, "the invitee told");
    await s.tg.deliver(paid); // redelivered
    await s.tg.deliver(s.tg.successfulPaymentUpdate({ chatId: INVITEE, invoicePayload: PAYLOAD, totalAmount: 50, chargeId: paid.message!.successful_payment!.telegram_payment_charge_id }));
    await s.app.reconciler.pass();
    // A second purchase earns no more bonuses.
    await s.tg.deliver(s.tg.successfulPaymentUpdate({ chatId: INVITEE, invoicePayload: PAYLOAD, totalAmount: 50 }));
    await say(INVITEE, "/balance");

    expect(await kinds(INVITER, "referral")).toHaveLength(1);
    expect(await kinds(INVITEE, "referral")).toHaveLength(1);
    expect(await kinds(INVITEE, "purchase")).toHaveLength(2);
    expect(await balanceOf(INVITER)).toBe(inviterBefore + 5);
    expect(await balanceOf(INVITEE)).toBe(3 + 10 + 2 + 10);
    expect(s.tg.messages(INVITER).filter((m) => /Someone you invited/.test(m.text ?? ""))).toHaveLength(1);
    expect(s.tg.messages(INVITEE).filter((m) => /Invitation bonus/.test(m.text ?? ""))).toHaveLength(1);
    expect((await say(INVITER, "/invite")).text).toContain("Invited so far: 1; of them paid: 1.");
  });

  it("a refund of that payment takes both bonuses back, each told; /stats counts invites and payers", async () => {
    const [bonus] = await kinds(INVITEE, "referral");
    const inviterBefore = (await balanceOf(INVITER))!;
    const refund = s.tg.refundedPaymentUpdate({ chatId: INVITEE, chargeId: bonus!.charge_id! });
    await s.tg.deliver(refund);
    await s.tg.waitFor(() => s.tg.messages(INVITER).find((m) => /invitation bonus was refunded/.test(m.text ?? "")), 10_000, "the inviter told");
    await s.tg.deliver(refund);
    await s.app.reconciler.pass();
    await say(INVITEE, "/balance");
    expect((await kinds(INVITER, "referral_back")).map((e) => e.credits)).toEqual([-5]);
    expect((await kinds(INVITEE, "referral_back")).map((e) => e.credits)).toEqual([-2]);
    expect(await balanceOf(INVITER)).toBe(inviterBefore - 5);
    expect(await balanceOf(INVITEE)).toBe(3 + 10 + 2 + 10 - 10 - 2);
    expect(s.tg.messages(INVITEE).filter((m) => /invitation bonus was refunded/.test(m.text ?? ""))).toHaveLength(1);

    const stats = (await say(ADMIN, "/stats")).text!;
    expect(stats).toContain("Referrals: 1 invited, 1 of them paid");
  });
});
