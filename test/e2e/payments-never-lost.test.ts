/**
 * Issue 16, defects 1 and 2: a payment, or any update, is acknowledged to Telegram only once its
 * effect is stored or certain to be. The database's errors are made on the wire, by a proxy between
 * the app and MongoDB that answers a chosen command with a server error, holds it, or cuts it off.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import type { Models } from "../../src/db/models.js";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { MAX_TIME_EXPIRED, startMongoProxy, type MongoProxy } from "../support/mongo-proxy.js";
import { openDatabaseView, testDatabaseUri } from "../support/mongo.js";
import { expectOneVideo, photoFrom, taskFor, user } from "../support/scenario.js";

/** FerretDB's answer when writers pile up on SQLite's one write lock. */
const SQLITE_BUSY = { code: 1, codeName: "InternalError", errmsg: "database is locked (SQLITE_BUSY)" };

interface World {
  tg: FakeTelegram;
  mm: FakeMiniMax;
  proxy: MongoProxy;
  app: TestApp;
  models: Models;
  close(): Promise<void>;
}
let world: World | undefined;

/** The reconciliation is off here: only the update may credit the payment these tests make fail. */
async function startWorld(mode: "webhook" | "polling", env: Record<string, string> = {}): Promise<World> {
  const fakes = await startFakes();
  const uri = testDatabaseUri("neverlost");
  const proxy = await startMongoProxy(uri);
  const app = await startTestApp({ mode, telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: proxy.uriFor(uri), env: { MONGODB_TIMEOUT_MS: "500", STARS_PACKS: "10:50", STARS_RECONCILE_INTERVAL_S: "0", ...env } });
  const view = await openDatabaseView(uri);
  world = {
    tg: fakes.telegram,
    mm: fakes.minimax,
    proxy,
    app,
    models: view.models,
    async close() {
      proxy.restore();
      await app.stop();
      await proxy.close();
      await fakes.close();
      await view.close();
    },
  };
  return world;
}
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const PAYLOAD = "credits:10:50";
const paymentUpdate = (tg: FakeTelegram, chatId: number) => tg.successfulPaymentUpdate({ chatId, invoicePayload: PAYLOAD, totalAmount: 50 });
const chargeOf = (update: Update) => update.message!.successful_payment!.telegram_payment_charge_id;
const head = async (models: Models, userId: number) => (await models.Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).lean())?.balance;

describe("a payment whose ledger write fails for another reason than an outage (webhook mode)", () => {
  it("successful_payment is answered 5xx, not acknowledged; Telegram's next copy credits it once", async () => {
    const { tg, proxy, models } = await startWorld("webhook");
    const failed = proxy.failNext("insert", "ledger", MAX_TIME_EXPIRED, { also: ["kind", "purchase"] });
    const paid = paymentUpdate(tg, 9701);
    expect((await tg.deliver(paid))?.status).toBe(503);
    expect(await failed).toBe(1);
    expect(await models.Ledger.countDocuments({ kind: "purchase" })).toBe(0);
    // Nothing told the user to send anything again: the payment is not theirs to repeat.
    expect(tg.messages(9701).filter((m) => /Something went wrong/.test(m.text ?? ""))).toHaveLength(0);

    expect((await tg.deliver(paid))?.status).toBe(200);
    expect((await tg.deliver(paid))?.status).toBe(200);
    expect(await models.Ledger.countDocuments({ kind: "purchase", charge_id: chargeOf(paid) })).toBe(1);
    expect(await head(models, 9701)).toBe(13);
    expect(tg.messages(9701).filter((m) => m.text?.startsWith("✅ Thank you"))).toHaveLength(1);
  });

  it("refunded_payment is answered 5xx under FerretDB's busy lock; the next copy takes the credits back once", async () => {
    const { tg, proxy, models } = await startWorld("webhook");
    const paid = paymentUpdate(tg, 9702);
    expect((await tg.deliver(paid))?.status).toBe(200);
    expect(await head(models, 9702)).toBe(13);
    const failed = proxy.failNext("insert", "ledger", SQLITE_BUSY, { also: ["kind", "refund"] });
    const refund = tg.refundedPaymentUpdate({ chatId: 9702, chargeId: chargeOf(paid) });
    expect((await tg.deliver(refund))?.status).toBe(503);
    expect(await failed).toBe(1);
    expect(await head(models, 9702)).toBe(13);
    expect((await tg.deliver(refund))?.status).toBe(200);
    expect((await tg.deliver(refund))?.status).toBe(200);
    expect(await models.Ledger.countDocuments({ kind: "refund" })).toBe(1);
    expect(await head(models, 9702)).toBe(3);
  });
});

describe("a payment whose ledger write fails for another reason than an outage (polling mode)", () => {
  /** The getUpdates calls that confirmed `update` (an offset past it), in order. */
  const confirmations = (tg: FakeTelegram, update: Update) =>
    tg.callsTo("getUpdates").filter((c) => typeof c.params.offset === "number" && c.params.offset > update.update_id);

  it("successful_payment keeps the offset until it is credited, once", async () => {
    const { tg, proxy, models } = await startWorld("polling");
    const failed = proxy.failNext("insert", "ledger", MAX_TIME_EXPIRED, { also: ["kind", "purchase"], times: 2 });
    const paid = paymentUpdate(tg, 9703);
    await tg.deliver(paid);
    expect(await failed).toBe(2);
    const purchase = await eventually(() => models.Ledger.findOne({ kind: "purchase", charge_id: chargeOf(paid) }).lean(), 10_000, "the credit");
    await eventually(() => confirmations(tg, paid).length > 0, 10_000, "the offset confirmed");
    // Telegram was not told to move on before the credit was written.
    expect(confirmations(tg, paid)[0]!.at).toBeGreaterThanOrEqual(purchase.at.getTime());
    expect(await head(models, 9703)).toBe(13);
    await tg.waitFor(() => tg.messages(9703).find((m) => m.text?.startsWith("✅ Thank you")));
    expect(await models.Ledger.countDocuments({ kind: "purchase" })).toBe(1);
  });

  it("refunded_payment keeps the offset until the credits are taken back, once", async () => {
    const { tg, proxy, models } = await startWorld("polling");
    const paid = paymentUpdate(tg, 9704);
    await tg.deliver(paid);
    await eventually(async () => (await head(models, 9704)) === 13, 10_000, "the credit");
    const failed = proxy.failNext("insert", "ledger", SQLITE_BUSY, { also: ["kind", "refund"] });
    const refund = tg.refundedPaymentUpdate({ chatId: 9704, chargeId: chargeOf(paid) });
    await tg.deliver(refund);
    expect(await failed).toBe(1);
    const taken = await eventually(() => models.Ledger.findOne({ kind: "refund" }).lean(), 10_000, "the refund");
    await eventually(() => confirmations(tg, refund).length > 0, 10_000, "the offset confirmed");
    expect(confirmations(tg, refund)[0]!.at).toBeGreaterThanOrEqual(taken.at.getTime());
    expect(await head(models, 9704)).toBe(3);
  });
});

describe("an update that outlasts Telegram's patience, then fails (webhook mode)", () => {
  it("is stored before it is acknowledged and handled again once MongoDB is back: one generation, one video", async () => {
    const { tg, mm, proxy, models, app } = await startWorld("webhook", { LEASE_MS: "2000" });
    const who = user(9705);
    const sent = photoFrom(tg, who, "the lamp slowly lights up");
    // The generation's insert hangs on the wire past Telegram's patience.
    const holding = proxy.holdNext("insert", "generations", 10_000);
    const answered = tg.deliver(sent.update);
    const held = await holding;
    const reply = await answered;
    expect(reply?.status).toBe(200);
    // The answer came only once the update was stored.
    const kept = await models.Inbox.findById(sent.update.update_id).lean();
    expect(kept?.state).toBe("pending");
    expect(Date.now() - held.at).toBeGreaterThan(7_000);

    // Then the database goes away under the held insert: the handling fails.
    proxy.sever();
    await held.release();
    await eventually(() => app.logs.some((l) => l.includes("update failed after it was kept")), 10_000, "the failure logged");
    proxy.restore();

    const gen = await eventually(() => models.Generation.findOne({ chat_id: who.chatId, source_message_id: sent.messageId }).lean(), 20_000, "the generation");
    expect(gen.prompt).toBe("the lamp slowly lights up");
    await eventually(async () => (await models.Inbox.findById(sent.update.update_id).lean())?.state === "handled", 10_000, "the update handled");
    const task = await taskFor(mm, "the lamp slowly lights up", 15_000);
    const video = makeMp4({ payloadBytes: 30_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, who.chatId, video);
    expect(app.logs.join("\n")).not.toMatch(/unhandled rejection|unhandled bot error/);
    expect(await models.Generation.countDocuments({ chat_id: who.chatId })).toBe(1);
    expect(mm.createRequests.filter((r) => r.body.prompt === "the lamp slowly lights up")).toHaveLength(1);
  }, 45_000);
});

describe("the inbox, from any instance", () => {
  it("an update kept by an instance that went away is handled by the sweep, once", async () => {
    const { tg, mm, models } = await startWorld("webhook");
    const who = user(9706);
    const sent = photoFrom(tg, who, "a kept photo of a chair");
    // Stored as a slow update whose instance then went away: its lease ran out, it was never marked.
    await models.Inbox.create({ _id: sent.update.update_id, update: sent.update, lease_until: new Date(0), next_run_at: new Date() });
    await taskFor(mm, "a kept photo of a chair", 15_000);
    await eventually(async () => (await models.Inbox.findById(sent.update.update_id).lean())?.state === "handled", 10_000, "handled");
    // Telegram's own copy arriving late adds nothing.
    expect((await tg.deliver(sent.update))?.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await models.Generation.countDocuments({ chat_id: who.chatId })).toBe(1);
    expect(mm.createRequests.filter((r) => r.body.prompt === "a kept photo of a chair")).toHaveLength(1);
  });
});
