/**
 * Issue 29, promo codes: the admin commands, each answer a user can get, and the cap on uses held
 * exactly across two instances (three users racing for a code with two uses: two get it).
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { useTwoTestApps } from "../support/suite.js";
import { postUpdate } from "../support/scenario.js";

const ADMIN = 7800;

describe("promo codes on two instances", () => {
  const s = useTwoTestApps("promo", { mode: "webhook", env: { ADMIN_USER_IDS: String(ADMIN), STARS_RECONCILE_INTERVAL_S: "0" } });
  const reply = (chatId: number, update: Update) =>
    s.tg.waitFor(() => s.tg.messages(chatId).find((m) => m.reply_to_message?.message_id === update.message!.message_id), 10_000, `the reply to ${update.message!.message_id}`);
  async function say(chatId: number, text: string, on = s.a) {
    const update = s.tg.textUpdate({ chatId, text });
    expect(await postUpdate(on, update)).toBe(200);
    return (await reply(chatId, update)).text!;
  }
  const promoCredits = (userId: number) => s.a.db.models.Ledger.find({ user_id: userId, kind: "promo" }).lean();

  it("admins add, list and turn off codes; anyone else's /promo add is a redemption attempt", async () => {
    expect(await say(ADMIN, "/promo add Spring-Sale 5 2 30")).toBe("✅ Promo code SPRING-SALE: 5 credits, 2 uses, for 30 days. Link: https://t.me/astrolus_test_bot?start=promo_spring-sale");
    expect(await say(ADMIN, "/promo add spring-sale 1")).toMatch(/^Promo code SPRING-SALE exists already/);
    expect(await say(ADMIN, "/promo add X 5")).toMatch(/^Usage:/);
    expect(await say(ADMIN, "/promo add GOOD 0")).toMatch(/^Usage:/);
    expect(await say(ADMIN, "/promo add GOOD 5 1 1 9")).toMatch(/^Usage:/);
    expect(await say(ADMIN, "/promo add ONCE 3")).toBe("✅ Promo code ONCE: 3 credits, 1 use. Link: https://t.me/astrolus_test_bot?start=promo_once");
    expect(await say(ADMIN, "/promo add GONE 3 10")).toMatch(/^✅/);
    expect(await say(ADMIN, "/promo off gone")).toBe("Promo code GONE is off: it is refused from now on.");
    const list = await say(ADMIN, "/promo list");
    expect(list).toContain("GONE · +3 · used 0 of 10 · until — · off");
    expect(list).toContain("SPRING-SALE · +5 · used 0 of 2 · until ");
    expect(await say(7801, "/promo add FREE 1000")).toMatch(/^Usage: \/promo CODE/);
    expect(await s.a.db.models.PromoCode.countDocuments()).toBe(3);
  });

  it("a code with 2 uses redeemed by 3 users racing on 2 instances: exactly 2", async () => {
    const racers = [7811, 7812, 7813];
    const updates = racers.map((chatId) => s.tg.textUpdate({ chatId, text: "/promo spring-sale" }));
    const statuses = await Promise.all(updates.map((u, i) => postUpdate(i % 2 ? s.b : s.a, u)));
    expect(statuses).toEqual([200, 200, 200]);
    const answers = await Promise.all(racers.map(async (chatId, i) => (await reply(chatId, updates[i]!)).text!));
    expect(answers.filter((a) => a.startsWith("✅ Promo code SPRING-SALE redeemed: 5 credits added."))).toHaveLength(2);
    expect(answers.filter((a) => a === "Promo code SPRING-SALE has been used up: every use is taken. Nothing was added.")).toHaveLength(1);
    const credited = (await Promise.all(racers.map(promoCredits))).flat();
    expect(credited.map((e) => e.credits)).toEqual([5, 5]);
    expect(await s.a.db.models.PromoUse.countDocuments({ code: "SPRING-SALE", slot: { $exists: true } })).toBe(2);
    // The one left out is told the same again, not "already used".
    const loser = racers[answers.findIndex((a) => a.includes("used up"))]!;
    expect(await say(loser, "/promo SPRING-SALE", s.b)).toMatch(/has been used up/);
  });

  it("once per user, case-insensitive, through the start link too; unknown, expired and malformed codes each say so", async () => {
    const start = s.tg.textUpdate({ chatId: 7821, text: "/start promo_once" });
    await postUpdate(s.a, start);
    await s.tg.waitFor(() => s.tg.messages(7821).find((m) => /Promo code ONCE redeemed: 3 credits added\. Your balance: 6 credits\./.test(m.text ?? "")), 10_000, "the redemption");
    expect(await say(7821, "/promo Once", s.b)).toBe("You have already redeemed promo code ONCE; each code works once per person.");
    expect(await promoCredits(7821)).toHaveLength(1);
    expect(await say(7822, "/promo ONCE")).toMatch(/has been used up/);
    expect(await say(7822, "/promo GONE")).toBe("Promo code GONE has expired. Nothing was added.");
    await s.a.db.models.PromoCode.create({ _id: "OLD", credits: 1, uses: 5, created_by: ADMIN, expires_at: new Date(Date.now() - 1000) });
    expect(await say(7822, "/promo old")).toBe("Promo code OLD has expired. Nothing was added.");
    expect(await say(7822, "/promo NOPE")).toBe("There is no promo code NOPE. Check the spelling; nothing was added.");
    expect(await say(7822, "/promo <b>")).toBe("A promo code has 3 to 32 letters, digits, _ or -; “<b>” is not one. Nothing was added.");
    expect(await promoCredits(7822)).toEqual([]);
  });

  it("a burst of wrong guesses is throttled, across instances, and a right code then waits too", async () => {
    const guesser = 7831;
    for (let i = 0; i < 5; i++) expect(await say(guesser, `/promo GUESS${i}`, i % 2 ? s.b : s.a)).toMatch(/^There is no promo code/);
    expect(await say(guesser, "/promo GUESS9", s.b)).toMatch(/^Too many wrong codes in a row\. Please try again in \d+ minutes?\./);
    expect(await say(guesser, "/promo spring-sale", s.a)).toMatch(/^Too many wrong codes/);
    expect(await s.a.db.models.Ledger.countDocuments({ user_id: guesser, kind: "promo" })).toBe(0);
  });
});
