/**
 * Credits across a real crash (src/main.ts as a child): the process dies between a reservation
 * and its capture, and the restarted one charges exactly once.
 */
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useChildAppWorld } from "../support/suite.js";
import { startChildApp } from "../support/child-app.js";
import { photoFrom, sha256, taskFor, user } from "../support/scenario.js";

const world = useChildAppWorld("credproc");

describe("kill -9 between the reservation and the capture", () => {
  it("the restarted process captures once and delivers once", async () => {
    const app = await startChildApp({ mode: "polling", telegram: world.tg, minimax: world.mm, mongoUri: world.mongoUri });
    const sent = photoFrom(world.tg, user(8501), "crash-credit: the phone rotates");
    await world.tg.deliver(sent.update);
    const task = await taskFor(world.mm, "crash-credit: the phone rotates");
    await eventually(() => world.models.Generation.findOne({ user_id: 8501, phase: "submitted" }), 10_000, "submitted");
    app.kill("SIGKILL");
    expect((await app.exited).signal).toBe("SIGKILL");
    const reserved = await world.models.Ledger.find({ user_id: 8501 }).sort({ seq: 1 }).lean();
    expect(reserved.map((e) => e.kind)).toEqual(["welcome", "reserve"]);

    const video = makeMp4({ payloadBytes: 70_000 });
    await world.mm.succeed(task.taskId, video);
    await app.restart();
    const [delivered] = await world.tg.waitFor(() => (world.tg.videosSent(8501).length ? world.tg.videosSent(8501) : undefined), 15_000, "the video");
    expect(delivered!.sha256).toBe(sha256(video));
    await eventually(() => world.models.Generation.findOne({ user_id: 8501, phase: "delivered" }), 5_000, "delivered");
    app.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    const ledger = await world.models.Ledger.find({ user_id: 8501 }).sort({ seq: 1 }).lean();
    expect(ledger.map((e) => e.kind)).toEqual(["welcome", "reserve", "capture"]);
    expect(ledger.at(-1)).toMatchObject({ balance: 2, in_flight: 0 });
    expect(world.tg.videosSent(8501)).toHaveLength(1);
  }, 60_000); // two process starts
});
