/**
 * Issue 29 in the studio's API: the Balance tab's invitation link, plan offer and renewal buttons,
 * and the operator's dashboard (ADMIN_USER_IDS only, 403 to everyone else), measured on 10,000
 * generations (DASHBOARD_GENERATIONS=10000).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/suite.js";
import { studioCall, TEST_WEBAPP_URL } from "../support/studio.js";
import type { Dashboard } from "../../src/studio/dashboard.js";

const ADMIN = 7950;
const SELLER = 7951;
const DAY = 86_400_000;
/** 1,000 in the suite (FerretDB takes a minute to insert 10,000); DASHBOARD_GENERATIONS=10000 for the figure in docs/credits.md. */
const GENERATIONS = Number(process.env.DASHBOARD_GENERATIONS ?? 1_000);

interface Balance {
  plans: Array<{ credits: number; stars: number; label: string; button: string }>;
  plan: { text: string; canceled: boolean; button: string } | null;
  invite: { link: string; text: string };
}

describe("the studio's business parts", () => {
  const s = useTestApp("studiobiz", { mode: "polling", env: { WEBAPP_URL: TEST_WEBAPP_URL, ADMIN_USER_IDS: String(ADMIN), PLANS: "30:450", STARS_RECONCILE_INTERVAL_S: "0" } });
  const as = (id: number) => ({ who: { id, first_name: "Test", language_code: "en" } });

  it("the Balance tab has the invitation link, the plan on offer, and a subscription invoice link", async () => {
    const { status, body } = await studioCall<Balance>(s.app.url, "balance", as(SELLER));
    expect(status).toBe(200);
    expect(body.invite.link).toMatch(/^https:\/\/t\.me\/astrolus_test_bot\?start=ref_[0-9a-z]+$/);
    expect(body.invite.text).toContain(body.invite.link);
    expect(body.plan).toBeNull();
    expect(body.plans).toEqual([{ credits: 30, stars: 450, label: expect.stringContaining("30 credits every 30 days for 450 ⭐"), button: "📅 Subscribe for 450 ⭐" }]);
    const link = await studioCall<{ link: string }>(s.app.url, "plans/30/invoice", { ...as(SELLER), method: "POST" });
    expect(link.status).toBe(200);
    expect(s.tg.invoiceLinks.at(-1)).toMatchObject({ link: link.body.link, payload: "plan:30:450", subscription_period: 2592000 });
    expect((await studioCall(s.app.url, "plans/31/invoice", { ...as(SELLER), method: "POST" })).status).toBe(404);
  });

  it("the plan shows with its renewal, and Cancel renewal calls editUserStarSubscription", async () => {
    const paid = s.tg.subscriptionPaymentUpdate({ chatId: SELLER, invoicePayload: "plan:30:450", totalAmount: 450, first: true });
    await s.tg.deliver(paid);
    await s.tg.waitFor(() => s.tg.messages(SELLER).find((m) => /monthly plan is on/.test(m.text ?? "")), 10_000, "credited");
    const { body } = await studioCall<Balance>(s.app.url, "balance", as(SELLER));
    expect(body.plan).toMatchObject({ canceled: false, button: "Cancel renewal", text: expect.stringMatching(/^📅 Monthly plan: 30 credits for 450 ⭐; renews on \d{4}-\d\d-\d\d\.$/) });
    const cancelled = await studioCall<Balance["plan"]>(s.app.url, "plan/renewal", { ...as(SELLER), method: "PUT", body: { canceled: true } });
    expect(cancelled.body).toMatchObject({ canceled: true, button: "Resume renewal" });
    expect(s.tg.subscriptionEdits).toEqual([{ user_id: SELLER, telegram_payment_charge_id: paid.message!.successful_payment!.telegram_payment_charge_id, is_canceled: true }]);
    expect((await studioCall(s.app.url, "plan/renewal", { ...as(SELLER), method: "PUT", body: { canceled: "yes" } })).status).toBe(400);
    expect((await studioCall(s.app.url, "plan/renewal", { ...as(7952), method: "PUT", body: { canceled: true } })).status).toBe(404);
  });

  it("the dashboard is refused to everyone but the admins; /me says who sees its tab", async () => {
    expect((await studioCall<{ admin: boolean }>(s.app.url, "me", as(SELLER))).body.admin).toBe(false);
    expect((await studioCall<{ admin: boolean }>(s.app.url, "me", as(ADMIN))).body.admin).toBe(true);
    for (const path of ["admin/dashboard", "admin/anything", "admin/Dashboard"]) expect((await studioCall(s.app.url, path, as(SELLER))).status).toBe(403);
    expect((await studioCall(s.app.url, "admin/dashboard", { initData: null })).status).toBe(401);
  });

  it(`charts 30 days from indexed aggregations, on ${GENERATIONS} generations`, async () => {
    const now = Date.now();
    const image = { file_id: "f", file_unique_id: "u", mime: "image/jpeg", width: 800, height: 800 };
    // Generation i ended i % 30 days ago; every fifth failed; those delivered took 60 + (i % 7) * 10 s.
    const docs = Array.from({ length: GENERATIONS }, (_, i) => {
      const completed = new Date(now - (i % 30) * DAY - 3600_000);
      const failed = i % 5 === 0;
      return {
        short_id: randomBytes(6).toString("hex"),
        chat_id: 100_000 + (i % 500),
        user_id: 100_000 + (i % 500),
        source_message_id: i,
        locale: "en",
        prompt: "p",
        model: "MiniMax-Hailuo-02",
        image,
        callback_token: "t",
        phase: failed ? "failed" : "delivered",
        minimax_status: failed ? "failed" : "success",
        ...(failed ? { error_code: i % 10 === 0 ? "sensitive_input" : "minimax_failed" } : {}),
        created_at: new Date(completed.getTime() - (60 + (i % 7) * 10) * 1000),
        completed_at: completed,
        next_run_at: completed,
        lease_until: new Date(0),
        lease_epoch: 0,
        submit_attempts: 1,
        deliver_attempts: 1,
      };
    });
    const inserting = Date.now();
    for (let i = 0; i < docs.length; i += 1000) await s.app.db.models.Generation.collection.insertMany(docs.slice(i, i + 1000));
    console.log(`${GENERATIONS} generations inserted in ${Date.now() - inserting} ms`);
    // One job waiting now (a copy of another, without the _id insertMany gave it and without an end).
    const queued: Record<string, unknown> = { ...docs[1], short_id: "queued1", source_message_id: GENERATIONS + 1, phase: "queued" };
    delete queued._id;
    delete queued.completed_at;
    await s.app.db.models.Generation.collection.insertOne(queued);

    const runs: number[] = [];
    let board: Dashboard | undefined;
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const answer = await studioCall<Dashboard>(s.app.url, "admin/dashboard", as(ADMIN));
      expect(answer.status).toBe(200);
      runs.push(Date.now() - started);
      board = answer.body;
    }
    console.log(`dashboard on ${GENERATIONS} generations: ${runs.join(", ")} ms per request (server: ${board!.tookMs} ms)`);
    expect(board!.days).toHaveLength(30);
    expect(board!.made.reduce((a, b) => a + b, 0) + board!.failed.reduce((a, b) => a + b, 0)).toBe(GENERATIONS);
    expect(board!.failed.reduce((a, b) => a + b, 0)).toBe(GENERATIONS / 5);
    expect(board!.failures).toEqual([
      { reason: "minimax_failed", count: GENERATIONS / 10 },
      { reason: "sensitive_input", count: GENERATIONS / 10 },
    ]);
    expect(board!.medianSeconds).toBe(90);
    expect(board!.queue.queued).toBe(1);
    // The plan bought above: 450 Stars today.
    expect(board!.starsReceived.at(-1)).toBe(450);
    expect(board!.starsReceived.slice(0, -1).every((n) => n === 0)).toBe(true);
  }, 180_000);
});
