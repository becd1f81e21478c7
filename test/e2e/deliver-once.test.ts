/**
 * Telegram cannot be asked whether it took a message. An instance whose lease runs out while
 * Telegram is taking its video (a loaded database kept its renewals from landing) must not leave
 * the next holder to send it again. Seen under load as one of forty users getting two videos.
 */
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, startFakes, startTestApp } from "../support/app.js";
import { startMongoProxy } from "../support/mongo-proxy.js";
import { useStartedByHand } from "../support/suite.js";
import { openDatabaseView, testDatabaseUri } from "../support/mongo.js";
import { buttonLabels, photoFrom, postUpdate, press, sha256, taskFor, user } from "../support/scenario.js";
import { startChildApp } from "../support/child-app.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a delivery whose lease runs out while Telegram takes the video (two instances)", () => {
  const world = useStartedByHand();

  it("is sent once: the next holder waits for the first one's record instead of sending again", async () => {
    const fakes = (world.fakes = await startFakes());
    const { telegram: tg, minimax: mm } = fakes;
    const uri = testDatabaseUri("deliveronce");
    const proxy = (world.proxy = await startMongoProxy(uri));
    const view = (world.view = await openDatabaseView(uri));
    // A reaches MongoDB through the proxy, which will hold its lease renewal.
    const a = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: proxy.uriFor(uri) });
    world.apps.push(a);
    const who = user(9951);
    expect(await postUpdate(a, photoFrom(tg, who, "the kettle steams").update)).toBe(200);
    const task = await taskFor(mm, "the kettle steams");

    // Telegram takes A's video 5 s after it arrives (it answers then, and acts even if A gave up).
    tg.delayNext("sendVideo", 5_000);
    const video = makeMp4({ payloadBytes: 40_000 });
    const downloadsBefore = mm.downloads.length;
    await mm.succeed(task.taskId, video);
    await eventually(() => mm.downloads.length > downloadsBefore, 10_000, "A's download");
    const uploadAt = Date.now();
    // A's next renewal is held: its lease (3 s) runs out while Telegram is still taking the video.
    const held = await proxy.holdNext("update", "generations", 10_000);

    // B, on the same database, finds the lease expired and the generation still delivering.
    const b = await startTestApp({ mode: "polling", telegram: tg, minimax: mm, mongoUri: uri });
    world.apps.push(b);
    const done = await eventually(() => view.models.Generation.findOne({ chat_id: who.chatId, phase: "delivered" }).lean(), 20_000, "delivered");
    // Past the moment Telegram took A's video, and a little more for a second one to arrive.
    await sleep(Math.max(0, uploadAt + 7_000 - Date.now()));
    const videos = tg.videosSent(who.chatId);
    expect(videos).toHaveLength(1);
    expect(videos[0]!.sha256).toBe(sha256(video));
    expect(done.video_message_id).toBe(videos[0]!.messageId);
    // B waited for A's record instead of sending: it never took the attempt.
    expect(b.logs.join("")).toMatch(/an earlier delivery attempt has not recorded how it ended; waiting for it/);
    await held.release();
  }, 60_000);
});

describe("a variant pack whose sender stalls while Telegram takes the album (two instances)", () => {
  const world = useStartedByHand();

  it("arrives as one album: the next holder waits for the stalled sender's record", async () => {
    const fakes = (world.fakes = await startFakes());
    const { telegram: tg, minimax: mm } = fakes;
    const uri = testDatabaseUri("packonce");
    const view = (world.view = await openDatabaseView(uri));
    // A is a process of its own, so it can be stopped (SIGSTOP) as a stalled instance would be.
    const child = await startChildApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: uri, env: { LEASE_MS: "3000" } });
    world.children.push(child);
    const who = user(9961);
    await tg.deliver(tg.textUpdate({ ...who, text: "/settings" }));
    const menu = await tg.waitFor(() => tg.messages(who.chatId).find((m) => /Settings/.test(m.text ?? "")), 10_000, "the settings");
    await press(tg, who, menu.message_id, "🎲 3 variants per photo: off");
    await tg.waitFor(() => buttonLabels(tg, who.chatId, menu.message_id).flat().includes("🎲 3 variants per photo: on"), 10_000, "the setting");
    await tg.deliver(photoFrom(tg, who, "the lamp glows").update);
    const tasks = await eventually(() => {
      const found = [...mm.tasks.values()].filter((t) => t.prompt?.startsWith("the lamp glows ["));
      return found.length === 3 && found;
    }, 15_000, "three tasks");

    // Telegram takes the album 5 s after it arrives whole; A is stopped as soon as it has.
    tg.delayNext("sendMediaGroup", 5_000);
    const videos = [31_000, 32_000, 33_000].map((payloadBytes) => makeMp4({ payloadBytes }));
    for (const [i, task] of tasks.entries()) await mm.succeed(task.taskId, videos[i]!);
    await tg.waitFor(() => tg.callsTo("sendMediaGroup").length === 1, 20_000, "A's album");
    child.kill("SIGSTOP");
    const stoppedAt = Date.now();

    // B finds the sender's lease (3 s) expired while A is stopped.
    const b = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: uri });
    world.apps.push(b);
    await sleep(Math.max(0, stoppedAt + 8_000 - Date.now()));
    child.kill("SIGCONT");

    await eventually(async () => (await view.models.Generation.countDocuments({ chat_id: who.chatId, phase: "delivered" })) === 3, 20_000, "three delivered");
    await sleep(1_500);
    expect(tg.callsTo("sendMediaGroup")).toHaveLength(1);
    expect(tg.videosSent(who.chatId).filter((v) => v.method === "sendMediaGroup").map((v) => v.sha256).sort()).toEqual(videos.map(sha256).sort());
    expect(b.logs.join("")).toMatch(/an earlier delivery attempt has not recorded how it ended; waiting for it/);
  }, 60_000);
});
