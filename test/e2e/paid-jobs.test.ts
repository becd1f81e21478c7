/**
 * A paid MiniMax job is not thrown away: the timeout counts MiniMax's time, not our queue's, and
 * MiniMax is asked before a job is given up; Telegram's flood wait is waited out, not counted.
 */
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { expectOneVideo, photoFrom, taskFor, user } from "../support/scenario.js";

describe("GENERATION_TIMEOUT_MIN and a paid job (webhook mode)", () => {
  // No status check runs by itself for a minute: each one in these tests is started on purpose,
  // by a callback or by making the generation due.
  const s = useTestApp("paidtimeout", { mode: "webhook", env: { GENERATION_TIMEOUT_MIN: "1", MINIMAX_POLL_INTERVAL_MS: "60000" } });

  /**
   * Rewrites timestamps as if `minutes` had passed, gives the sweep (every 100 ms) ten rounds to
   * expire what it would expire without asking, then makes the status check due.
   */
  async function age(chatId: number, fields: Array<"created_at" | "submitted_at">, minutes: number) {
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: chatId, phase: "submitted" }), 5_000, "a submitted generation");
    const past = new Date(Date.now() - minutes * 60_000);
    await s.app.db.models.Generation.collection.updateOne({ _id: gen._id }, { $set: Object.fromEntries(fields.map((f) => [f, past])) });
    await new Promise((r) => setTimeout(r, 1_000));
    await s.app.db.models.Generation.collection.updateOne({ _id: gen._id, phase: "submitted" }, { $set: { next_run_at: new Date() } });
    return gen;
  }

  it("a job that waited long in our queue is timed from its submission, and is delivered", async () => {
    const { tg, mm } = s;
    await tg.deliver(photoFrom(tg, user(7601), "queued long: a bicycle wheel spins").update);
    const task = await taskFor(mm, "queued long: a bicycle wheel spins");
    // The photo came 50 minutes ago and waited for a rate slot; MiniMax got it just now.
    const queriesBefore = mm.queries.filter((q) => q === task.taskId).length;
    await age(7601, ["created_at"], 50);
    await eventually(() => mm.queries.filter((q) => q === task.taskId).length > queriesBefore, 10_000, "the status check");
    await eventually(async () => ((await s.app.db.models.Generation.findOne({ chat_id: 7601 }))?.next_run_at ?? new Date(0)) > new Date(), 5_000, "the check done");
    expect((await s.app.db.models.Generation.findOne({ chat_id: 7601 }))?.phase).toBe("submitted");

    const video = makeMp4({ payloadBytes: 30_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 7601, video);
    expect(tg.messages(7601).some((m) => /took too long/.test(m.text ?? ""))).toBe(false);
  });

  it("a submitted job past the timeout is asked about first: a video MiniMax finished is delivered", async () => {
    const { tg, mm } = s;
    await tg.deliver(photoFrom(tg, user(7602), "finished late: a compass needle turns").update);
    const task = await taskFor(mm, "finished late: a compass needle turns");
    await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7602, phase: "submitted" }), 5_000, "submitted");
    mm.suppressCallbacks(true); // the success callback got lost
    const video = makeMp4({ payloadBytes: 30_000 });
    await mm.succeed(task.taskId, video);
    mm.suppressCallbacks(false);
    await age(7602, ["created_at", "submitted_at"], 90);
    await expectOneVideo(tg, 7602, video);
    expect(tg.messages(7602).some((m) => /took too long/.test(m.text ?? ""))).toBe(false);
  });

  it("a job MiniMax is still working on past the timeout is stopped, after asking, and the user told", async () => {
    const { tg, mm } = s;
    await tg.deliver(photoFrom(tg, user(7603), "stuck: a top spins").update);
    const task = await taskFor(mm, "stuck: a top spins");
    const queriesBefore = mm.queries.filter((q) => q === task.taskId).length;
    await age(7603, ["created_at", "submitted_at"], 90);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7603, phase: "failed" }), 10_000, "failed");
    expect(gen.error_code).toBe("timeout");
    expect(mm.queries.filter((q) => q === task.taskId).length).toBeGreaterThan(queriesBefore);
    await eventually(() => tg.messages(7603).some((m) => /took too long/.test(m.text ?? "")), 5_000, "the notice");
  });
});

describe("Telegram's flood wait on a paid video (polling mode)", () => {
  const s = useTestApp("paidflood", { mode: "polling" });

  it("seven 429s in a row are waited out as Telegram says, none counted as a failure; one video arrives", async () => {
    const { tg, mm } = s;
    const FLOODS = 7; // more than the old limit of six attempts in all
    tg.failNext("sendVideo", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }, FLOODS);
    await tg.deliver(photoFrom(tg, user(7611), "flood: a candle flickers").update);
    const task = await taskFor(mm, "flood: a candle flickers");
    const video = makeMp4({ payloadBytes: 40_000 });
    const retrievesBefore = mm.retrieves.length;
    await mm.succeed(task.taskId, video);
    await eventually(() => tg.videosSent(7611).length > 0, 40_000, "the video, after the flood waits");
    await expectOneVideo(tg, 7611, video);

    const uploads = tg.calls.filter((c) => c.method === "sendVideo");
    expect(uploads.map((c) => c.injected === true)).toEqual([...Array<boolean>(FLOODS).fill(true), false]);
    // Each try came after the retry_after of the one before, and each started from a fresh retrieve.
    for (let i = 1; i < uploads.length; i++) expect(uploads[i]!.at - uploads[i - 1]!.at).toBeGreaterThanOrEqual(1_000);
    expect(mm.retrieves.length - retrievesBefore).toBeGreaterThanOrEqual(FLOODS + 1);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7611, phase: "delivered" }), 5_000, "delivered");
    expect(gen.deliver_attempts).toBe(0);
    expect(tg.messages(7611).some((m) => /send the photo again/.test(m.text ?? ""))).toBe(false);
  }, 60_000);
});
