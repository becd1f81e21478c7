/**
 * Credits through the real app: admission reserves, MiniMax's success captures, every other end
 * releases, and concurrent photos (webhook mode answers updates concurrently, and across two
 * instances) never spend more than the balance or exceed MAX_ACTIVE_PER_USER.
 */
import { describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { testDatabaseUri } from "../support/mongo.js";
import { botMessage, expectOneVideo, photoFrom, postUpdate, taskFor, user } from "../support/scenario.js";
import { createAdmission } from "../../src/generations/admission.js";
import { startMongoProxy } from "../support/mongo-proxy.js";

/** The bot's reply to one message of the user's. */
const replyTo = (tg: FakeTelegram, chatId: number, messageId: number) =>
  tg.waitFor(() => tg.messages(chatId).find((m) => m.reply_to_message?.message_id === messageId), 15_000, `the reply to ${messageId}`);

const ledgerOf = (app: TestApp, userId: number) => app.db.models.Ledger.find({ user_id: userId }).sort({ seq: 1 }).lean();

async function lastBalance(app: TestApp, userId: number) {
  const [head] = await app.db.models.Ledger.find({ user_id: userId }).sort({ seq: -1 }).limit(1).lean();
  return head && { balance: head.balance, inFlight: head.in_flight };
}

describe("credits, one instance (webhook: updates are handled concurrently)", () => {
  const s = useTestApp("credits", { mode: "webhook", env: { MAX_ACTIVE_PER_USER: "10", MINIMAX_RPM: "50" } });

  it("ten photos at once with a balance of three submit exactly three, and everyone is answered", async () => {
    const { tg, mm } = s;
    const who = user(8001);
    const sent = Array.from({ length: 10 }, (_, i) => photoFrom(tg, who, `ten-${i}: the kettle steams`));
    await Promise.all(sent.map((s) => tg.deliver(s.update)));
    const replies = await Promise.all(sent.map((s) => replyTo(tg, 8001, s.messageId)));

    const accepted = replies.filter((r) => /Got it!/.test(r.text ?? ""));
    const refused = replies.filter((r) => /This video costs/.test(r.text ?? ""));
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const r of accepted) expect(r.text).toMatch(/Price: 1 credit, reserved now/);
    for (const r of refused) {
      expect(r.text).toBe(
        "💳 This video costs 1 credit, and your balance is 0 credits. Nothing was sent to MiniMax, and no credits were taken.\nBuy credits with Telegram Stars through /buy, then send the photo again.",
      );
    }
    // Every reply is answered and only three generations exist, so no further create can come.
    expect(await s.app.db.models.Generation.countDocuments({ user_id: 8001 })).toBe(3);
    await eventually(() => mm.createRequests.filter((r) => String(r.body.prompt).startsWith("ten-")).length === 3, 10_000, "three creates");
    const ledger = await ledgerOf(s.app, 8001);
    // Each refused request took its reservation key with a `void` that moves nothing (issue 25), so
    // no other attempt at it can reserve after the refusal was answered.
    expect(ledger.filter((e) => e.kind !== "void").map((e) => e.kind)).toEqual(["welcome", "reserve", "reserve", "reserve"]);
    expect(ledger.filter((e) => e.kind === "void").map((e) => [e.credits, e.active])).toEqual(Array(7).fill([0, 0]));
    expect(ledger.at(-1)).toMatchObject({ balance: 0, in_flight: 3 });
  });

  it("a failed generation gives its credit back, and /balance shows the movements", async () => {
    const { tg, mm } = s;
    const who = user(8002);
    await tg.deliver(photoFrom(tg, who, "refund-me: the lamp glows").update);
    const task = await taskFor(mm, "refund-me: the lamp glows");
    expect(await lastBalance(s.app, 8002)).toEqual({ balance: 2, inFlight: 1 });
    await mm.fail(task.taskId, 1027);
    await botMessage(tg, 8002, /flagged as sensitive/);
    await eventually(async () => (await lastBalance(s.app, 8002))?.balance === 3, 5_000, "the credit back");
    const ledger = await ledgerOf(s.app, 8002);
    expect(ledger.map((e) => [e.kind, e.credits])).toEqual([
      ["welcome", 3],
      ["reserve", -1],
      ["release", 1],
    ]);
    expect(ledger.at(-1)).toMatchObject({ balance: 3, in_flight: 0 });

    const ask = tg.textUpdate({ ...who, text: "/balance" });
    await tg.deliver(ask);
    const answer = await replyTo(tg, 8002, ask.message!.message_id);
    expect(answer.text).toMatch(/^💳 Your balance: 3 credits\.\n/);
    const gen = await s.app.db.models.Generation.findOne({ user_id: 8002 });
    const lines = answer.text!.split("\n");
    expect(lines).toContain("Recent transactions:");
    expect(lines.find((l) => l.endsWith(`job ${gen!.short_id} not done: credits back`))).toMatch(/ · \+1 · /);
    expect(lines.find((l) => l.endsWith(`reserved for job ${gen!.short_id}`))).toMatch(/ · -1 · /);
    expect(lines.find((l) => l.endsWith("welcome gift"))).toMatch(/ · \+3 · /);
  });

  it("a successful video is charged once, however many callbacks arrive", async () => {
    const { tg, mm } = s;
    const who = user(8003);
    await tg.deliver(photoFrom(tg, who, "charge-me: the watch ticks").update);
    const task = await taskFor(mm, "charge-me: the watch ticks");
    const video = makeMp4({ payloadBytes: 60_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 8003, video, 500);
    const ledger = await ledgerOf(s.app, 8003);
    expect(ledger.map((e) => [e.kind, e.credits, e.active])).toEqual([
      ["welcome", 3, 0],
      ["reserve", -1, 1],
      ["capture", 0, -1],
    ]);
    expect(ledger.at(-1)).toMatchObject({ balance: 2, in_flight: 0, price: 1 });
  });
});

describe("MAX_ACTIVE_PER_USER=1 with photos at once (webhook)", () => {
  it("admits exactly one, refuses the rest, and takes one credit", async () => {
    const fakes = await startFakes();
    const app = await startTestApp({
      mode: "webhook",
      telegram: fakes.telegram,
      minimax: fakes.minimax,
      mongoUri: testDatabaseUri("maxone"),
      env: { MAX_ACTIVE_PER_USER: "1", FREE_CREDITS: "10" },
    });
    try {
      const tg = fakes.telegram;
      const sent = Array.from({ length: 6 }, (_, i) => photoFrom(tg, user(8101), `one-${i}: the cup spins`));
      await Promise.all(sent.map((s) => tg.deliver(s.update)));
      const replies = await Promise.all(sent.map((s) => replyTo(tg, 8101, s.messageId)));
      expect(replies.filter((r) => /Got it!/.test(r.text ?? ""))).toHaveLength(1);
      expect(replies.filter((r) => /already have 1 job in progress/.test(r.text ?? ""))).toHaveLength(5);
      expect(await app.db.models.Generation.countDocuments({ user_id: 8101 })).toBe(1);
      expect(await lastBalance(app, 8101)).toEqual({ balance: 9, inFlight: 1 });
    } finally {
      await app.stop();
      await fakes.close();
    }
  });
});

describe("two instances sharing one user (webhook)", () => {
  it("six photos split over both instances at once, balance two: two submitted and charged, four refused", async () => {
    const fakes = await startFakes();
    const mongoUri = testDatabaseUri("credtwo");
    const env = { MAX_ACTIVE_PER_USER: "10", FREE_CREDITS: "2", MINIMAX_RPM: "50" };
    const a = await startTestApp({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri, env });
    const b = await startTestApp({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri, env });
    try {
      const { telegram: tg, minimax: mm } = fakes;
      const sent = Array.from({ length: 6 }, (_, i) => photoFrom(tg, user(8201), `two-${i}: the bag swings`));
      await Promise.all(sent.map((s, i) => postUpdate(i % 2 ? a : b, s.update)));
      const replies = await Promise.all(sent.map((s) => replyTo(tg, 8201, s.messageId)));
      expect(replies.filter((r) => /Got it!/.test(r.text ?? ""))).toHaveLength(2);
      expect(replies.filter((r) => /This video costs 1 credit, and your balance is 0 credits/.test(r.text ?? ""))).toHaveLength(4);
      const tasks = await mm.waitForTasks(2);
      const videos = tasks.map((_, i) => makeMp4({ payloadBytes: 40_000 + i }));
      await Promise.all(tasks.map((t, i) => mm.succeed(t.taskId, videos[i]!)));
      await eventually(() => tg.videosSent(8201).length === 2, 15_000, "both videos");
      await eventually(async () => (await lastBalance(a, 8201))?.inFlight === 0, 5_000, "both captured");
      const ledger = await ledgerOf(a, 8201);
      expect(ledger.map((e) => e.kind).sort()).toEqual(["capture", "capture", "reserve", "reserve", "void", "void", "void", "void", "welcome"]);
      expect(ledger.at(-1)).toMatchObject({ balance: 0, in_flight: 0 });
      expect(mm.createRequests.filter((r) => String(r.body.prompt).startsWith("two-"))).toHaveLength(2);
    } finally {
      await a.stop();
      await b.stop();
      await fakes.close();
    }
  });
});

describe("two instances, one with a slow database link (webhook)", () => {
  it("MAX_ACTIVE_PER_USER=1: a photo whose insert is held on the wire, and a later one on the other instance: one is admitted", async () => {
    const fakes = await startFakes();
    const mongoUri = testDatabaseUri("credslow");
    const proxy = await startMongoProxy(mongoUri);
    const env = { MAX_ACTIVE_PER_USER: "1", FREE_CREDITS: "5" };
    const a = await startTestApp({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: proxy.uriFor(mongoUri), env });
    const b = await startTestApp({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri, env });
    try {
      const tg = fakes.telegram;
      const first = photoFrom(tg, user(8601), "slow-0: the ring sparkles");
      const second = photoFrom(tg, user(8601), "slow-1: the ring sparkles");
      // A stores the first photo (its ObjectId made first) but the insert waits on the wire…
      const held = proxy.holdNext("insert", "generations");
      const postedFirst = postUpdate(a, first.update);
      const insert = await held;
      // …while B takes the second photo from start to answer.
      await postUpdate(b, second.update);
      const answerB = await replyTo(tg, 8601, second.messageId);
      await insert.release();
      await postedFirst;
      const answerA = await replyTo(tg, 8601, first.messageId);
      const texts = [answerA.text, answerB.text];
      expect(texts.filter((t) => /Got it!/.test(t ?? ""))).toHaveLength(1);
      expect(texts.filter((t) => /already have 1 job in progress/.test(t ?? ""))).toHaveLength(1);
      expect(await b.db.models.Generation.countDocuments({ user_id: 8601 })).toBe(1);
      expect(await lastBalance(b, 8601)).toEqual({ balance: 4, inFlight: 1 });
    } finally {
      await a.stop();
      await b.stop();
      await proxy.close();
      await fakes.close();
    }
  });
});

describe("a restart between reserve and capture", () => {
  it("charges once: the instance that died after capturing, and the one that died before, both end with one capture", async () => {
    const fakes = await startFakes();
    const mongoUri = testDatabaseUri("credrestart");
    const { telegram: tg, minimax: mm } = fakes;
    const first = await startTestApp({ mode: "polling", telegram: tg, minimax: mm, mongoUri });
    let second: TestApp | undefined;
    try {
      await tg.deliver(photoFrom(tg, user(8301), "restart-a: the shoe turns").update);
      await tg.deliver(photoFrom(tg, user(8302), "restart-b: the shoe turns").update);
      const taskA = await taskFor(mm, "restart-a: the shoe turns");
      const taskB = await taskFor(mm, "restart-b: the shoe turns");
      await eventually(async () => (await first.db.models.Generation.countDocuments({ phase: "submitted" })) === 2, 10_000, "both submitted");
      await first.stop();

      second = await startTestApp({ mode: "polling", telegram: tg, minimax: mm, mongoUri });
      // B's instance had captured (MiniMax reported success) and died before recording the phase.
      const b = await second.db.models.Generation.findOne({ user_id: 8302 });
      await createAdmission(second.db.models, second.config).settle(b!, "capture");

      const videoA = makeMp4({ payloadBytes: 50_000 });
      const videoB = makeMp4({ payloadBytes: 51_000 });
      await mm.succeed(taskA.taskId, videoA);
      await mm.succeed(taskB.taskId, videoB);
      await expectOneVideo(tg, 8301, videoA, 200);
      await expectOneVideo(tg, 8302, videoB, 200);
      for (const userId of [8301, 8302]) {
        await eventually(async () => (await second!.db.models.Generation.findOne({ user_id: userId }))?.phase === "delivered", 5_000, "delivered");
        const ledger = await ledgerOf(second, userId);
        expect(ledger.map((e) => e.kind)).toEqual(["welcome", "reserve", "capture"]);
        expect(ledger.at(-1)).toMatchObject({ balance: 2, in_flight: 0 });
      }
    } finally {
      await second?.stop();
      await first.stop();
      await fakes.close();
    }
  });
});

