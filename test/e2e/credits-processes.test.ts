/**
 * Credits across a real crash (src/main.ts as a child): the process dies between a reservation
 * and its capture, and the restarted one charges exactly once.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Models } from "../../src/db/models.js";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes } from "../support/app.js";
import { killAllChildren, startChildApp } from "../support/child-app.js";
import { openDatabaseView, testDatabaseUri } from "../support/mongo.js";
import { photoFrom, sha256, taskFor, user } from "../support/scenario.js";

let tg: FakeTelegram;
let mm: FakeMiniMax;
let closeFakes: () => Promise<void>;
let mongoUri: string;
let conn: Awaited<ReturnType<typeof openDatabaseView>>;
let models: Models;

beforeEach(async () => {
  ({ telegram: tg, minimax: mm, close: closeFakes } = await startFakes());
  mongoUri = testDatabaseUri("credproc");
  conn = await openDatabaseView(mongoUri);
  models = conn.models;
});
afterEach(async () => {
  await killAllChildren();
  await conn?.close();
  await closeFakes?.();
});
afterAll(async () => {
  await killAllChildren();
});

describe("kill -9 between the reservation and the capture", () => {
  it("the restarted process captures once and delivers once", async () => {
    const app = await startChildApp({ mode: "polling", telegram: tg, minimax: mm, mongoUri });
    const sent = photoFrom(tg, user(8501), "crash-credit: the phone rotates");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "crash-credit: the phone rotates");
    await eventually(() => models.Generation.findOne({ user_id: 8501, phase: "submitted" }), 10_000, "submitted");
    app.kill("SIGKILL");
    expect((await app.exited).signal).toBe("SIGKILL");
    const reserved = await models.Ledger.find({ user_id: 8501 }).sort({ seq: 1 }).lean();
    expect(reserved.map((e) => e.kind)).toEqual(["welcome", "reserve"]);

    const video = makeMp4({ payloadBytes: 70_000 });
    await mm.succeed(task.taskId, video);
    await app.restart();
    const [delivered] = await tg.waitFor(() => (tg.videosSent(8501).length ? tg.videosSent(8501) : undefined), 15_000, "the video");
    expect(delivered!.sha256).toBe(sha256(video));
    await eventually(() => models.Generation.findOne({ user_id: 8501, phase: "delivered" }), 5_000, "delivered");
    app.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    const ledger = await models.Ledger.find({ user_id: 8501 }).sort({ seq: 1 }).lean();
    expect(ledger.map((e) => e.kind)).toEqual(["welcome", "reserve", "capture"]);
    expect(ledger.at(-1)).toMatchObject({ balance: 2, in_flight: 0 });
    expect(tg.videosSent(8501)).toHaveLength(1);
  }, 60_000); // two process starts
});
