/**
 * Crash safety and graceful shutdown of the real process (src/main.ts run as a child through tsx):
 * kill -9 at the awkward moments, SIGTERM mid-delivery and while idle, then restart with the same
 * environment and database. The generation must complete and be delivered exactly once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Phase } from "../../src/db/models.js";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useChildAppWorld } from "../support/suite.js";
import { killAllChildren, startChildApp, type ChildApp } from "../support/child-app.js";
import { makeJpeg } from "../support/images.js";
import { startMongoProxy, type MongoProxy } from "../support/mongo-proxy.js";
import { sha256 } from "../support/scenario.js";

const CHAT = 7001;
const PROMPT = "the sneaker turns slowly on a white podium";

const world = useChildAppWorld("crash");

/** The user sends a product photo with a caption; returns what a check needs. */
async function sendPhoto(chatId = CHAT, caption = PROMPT) {
  const photo = makeJpeg(1280, 720);
  const update = world.tg.photoUpdate({ chatId, userId: chatId, languageCode: "en", photo: world.tg.addPhoto(photo, 1280, 720), caption });
  await world.tg.deliver(update);
  return { photo, messageId: update.message!.message_id };
}

async function waitForPhase(phase: Phase, filter: Record<string, unknown> = {}, timeoutMs = 10_000) {
  return eventually(() => world.models.Generation.findOne({ ...filter, phase }).lean(), timeoutMs, `a generation in phase ${phase}`);
}

/** Waits until a CDN download has streamed at least `bytes` to the app; returns its record. */
async function downloadUnderway(bytes: number, timeoutMs = 15_000) {
  return eventually(() => world.mm.downloads.find((d) => d.status === 200 && d.bytesSent >= bytes && !d.completed), timeoutMs, `a download past ${bytes} bytes`);
}

/** Waits for the one video of the chat, then for the generation to be `delivered`, and checks both. */
async function expectDeliveredOnce(app: ChildApp, video: Buffer, messageId: number, timeoutMs = 15_000) {
  const [sent] = await world.tg.waitFor(() => (world.tg.videosSent(CHAT).length ? world.tg.videosSent(CHAT) : undefined), timeoutMs, "the video");
  expect(sent!.sha256).toBe(sha256(video));
  expect(sent!.bytes.length).toBe(video.length);
  expect((sent!.params.reply_parameters as { message_id: number }).message_id).toBe(messageId);
  const gen = await waitForPhase("delivered", {}, 5_000);
  expect(gen.minimax_status).toBe("success");
  expect(gen.telegram_video_file_id).toBe(sent!.message.video?.file_id);
  expect(gen.video_bytes).toBe(video.length);

  // Stop the app gracefully: once it has exited nothing more can be sent, so the counts are final.
  app.kill("SIGTERM");
  expect((await app.exited).code).toBe(0);
  expect(world.tg.callsTo("sendVideo")).toHaveLength(1);
  expect(world.tg.videosSent()).toHaveLength(1);
  expect(await world.models.Generation.countDocuments()).toBe(1);
  expect(world.tg.rejectedCalls).toEqual([]);
}

describe.each(["webhook", "polling"] as const)("kill -9 after the submit, before the callback (%s mode)", (mode) => {
  it("the restarted process finds the submitted generation in MongoDB and delivers it once", async () => {
    const app = await startChildApp({ mode, telegram: world.tg, minimax: world.mm, mongoUri: world.mongoUri });
    const { photo, messageId } = await sendPhoto();

    const [task] = await world.mm.waitForTasks(1);
    expect(task!.imageSha256).toBe(sha256(photo));
    const submitted = await waitForPhase("submitted", { minimax_job_id: task!.taskId });

    app.kill("SIGKILL");
    expect((await app.exited).signal).toBe("SIGKILL");

    const video = makeMp4({ payloadBytes: 300_000 });
    const callback = await world.mm.succeed(task!.taskId, video);
    if (mode === "webhook") {
      // MiniMax did try to tell us, but nobody was listening: only MongoDB remembers the task.
      expect(task!.callbackUrl).toMatch(/\/api\/minimax_callback\?/);
      expect(callback?.status).toBe(0);
    } else {
      expect(callback).toBeNull();
    }
    expect(await world.models.Generation.findById(submitted._id).lean()).toMatchObject({ phase: "submitted" });

    await app.restart();
    await expectDeliveredOnce(app, video, messageId);
    // The task was created once and its outcome learned through the query endpoint.
    expect(world.mm.createRequests).toHaveLength(1);
    expect(world.mm.tasks.size).toBe(1);
    expect(world.mm.queries).toContain(task!.taskId);
  });
});

describe("kill -9 in the middle of the download (= the upload)", () => {
  it("no partial video reaches the chat; after a restart the sweep takes over the abandoned lease and delivers once, two leases later", async () => {
    // A lease (renewed every 3 s) that outlives the restart, which takes seconds on a busy machine: the new
    // process cannot take the work at start and must find it through its periodic sweep.
    const app = await startChildApp({ mode: "polling", telegram: world.tg, minimax: world.mm, mongoUri: world.mongoUri, env: { LEASE_MS: "10000" } });
    const { messageId } = await sendPhoto();
    const [task] = await world.mm.waitForTasks(1);

    world.mm.throttleDownloads(200_000); // ~1 MB: about five seconds
    const video = makeMp4({ payloadBytes: 1_000_000 });
    await world.mm.succeed(task!.taskId, video);
    const first = await downloadUnderway(150_000);
    const delivering = await waitForPhase("delivering");
    const deadPid = app.pid;
    expect(delivering.lease_owner).toMatch(new RegExp(`^${deadPid}-`));

    app.kill("SIGKILL");
    expect((await app.exited).signal).toBe("SIGKILL");
    expect(first.completed).toBe(false);
    expect(first.bytesSent).toBeLessThan(video.length);
    // The upload was on the wire and died with the process: Telegram saw its body cut short, no
    // complete sendVideo arrived, nothing reached the chat.
    await world.tg.waitFor(() => world.tg.abortedCalls.includes("sendVideo"), 2_000, "the cut-off upload");
    expect(world.tg.abortedCalls).toEqual(["sendVideo"]);
    expect(world.tg.callsTo("sendVideo")).toEqual([]);
    expect(world.tg.videosSent()).toEqual([]);

    // The dead process still holds the lease in MongoDB; nothing has been counted as a failed attempt.
    const held = (await world.models.Generation.findById(delivering._id).lean())!;
    expect(held).toMatchObject({ phase: "delivering", deliver_attempts: 0, lease_owner: delivering.lease_owner });
    const leaseUntil = held.lease_until!.getTime();

    world.mm.throttleDownloads(null);
    const downloadsBefore = world.mm.downloads.length;
    await app.restart();
    expect(Date.now(), "the restarted app is up while the dead lease is still valid").toBeLessThan(leaseUntil);

    // The dead process took the delivery attempt and never said how it ended: Telegram might have
    // taken the video. The next attempt waits two leases (20 s) for a record that never comes.
    await expectDeliveredOnce(app, video, messageId, 45_000);
    // Nothing was downloaded again before the old lease ran out and the wait was over; then exactly one fresh, complete download.
    const retries = world.mm.downloads.slice(downloadsBefore);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ status: 200, completed: true, bytesSent: video.length });
    expect(retries[0]!.startedAt).toBeGreaterThanOrEqual(leaseUntil + 20_000);
    expect(retries[0]!.sig).not.toBe(first.sig); // a fresh signed URL from retrieve
    const delivered = (await world.models.Generation.findById(delivering._id).lean())!;
    expect(delivered.completed_at!.getTime()).toBeGreaterThanOrEqual(leaseUntil);
    expect(world.mm.createRequests).toHaveLength(1);
  }, 75_000);
});

describe("SIGTERM during a throttled delivery", () => {
  it("exits 0 within 10 s, hands the lease back with the generation still delivering, and a restart delivers once", async () => {
    // Default SHUTDOWN_TIMEOUT_MS (7 s): the configuration that ships must exit within 10 s.
    const app = await startChildApp({ mode: "polling", telegram: world.tg, minimax: world.mm, mongoUri: world.mongoUri });
    const { messageId } = await sendPhoto();
    const [task] = await world.mm.waitForTasks(1);

    world.mm.throttleDownloads(50_000); // ~1 MB: about twenty seconds, longer than the shutdown may wait
    const video = makeMp4({ payloadBytes: 1_000_000 });
    await world.mm.succeed(task!.taskId, video);
    await downloadUnderway(50_000);
    const delivering = await waitForPhase("delivering");
    expect(delivering.lease_owner).toMatch(new RegExp(`^${app.pid}-`));

    const sigtermAt = Date.now();
    app.kill("SIGTERM");
    await app.waitForLog(/^shutting down$/);
    // Work arriving during the shutdown is not taken: this photo stays with Telegram for the next process.
    const late = await sendPhoto(CHAT + 1, "a teapot spins");

    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - sigtermAt).toBeLessThan(10_000);
    expect(app.logsMatching(/^shutdown took too long/).map((l) => l.text)).toEqual([]);
    const [workerStopped] = app.logsMatching(/^generation worker stopped$/);
    expect(workerStopped?.entry).toMatchObject({ released: 1, timedOut: true });
    expect(app.logsMatching(/^Astrolus stopped$/)).toHaveLength(1);

    const handedBack = (await world.models.Generation.findById(delivering._id).lean())!;
    expect(handedBack.phase).toBe("delivering");
    expect(handedBack.lease_owner).toBeUndefined();
    expect(handedBack.lease_until?.getTime()).toBe(0);
    expect(handedBack.deliver_attempts).toBe(0);
    expect(world.tg.callsTo("sendVideo")).toEqual([]);
    expect(world.tg.videosSent()).toEqual([]);
    expect(await world.models.Generation.countDocuments({ chat_id: CHAT + 1 })).toBe(0);

    world.mm.throttleDownloads(null);
    await app.restart();
    // The late photo was not lost either: the new process takes it from Telegram.
    const lateGen = await waitForPhase("submitted", { chat_id: CHAT + 1 });
    expect(lateGen.source_message_id).toBe(late.messageId);
    const [sent] = await world.tg.waitFor(() => (world.tg.videosSent(CHAT).length ? world.tg.videosSent(CHAT) : undefined), 15_000, "the video");
    expect(sent!.sha256).toBe(sha256(video));
    expect((sent!.params.reply_parameters as { message_id: number }).message_id).toBe(messageId);
    await waitForPhase("delivered", { _id: delivering._id }, 5_000);
    app.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    expect(world.tg.callsTo("sendVideo")).toHaveLength(1);
    expect(world.mm.createRequests).toHaveLength(2);
    expect(world.tg.rejectedCalls).toEqual([]);
  });
});

describe("SIGTERM while a MiniMax status query hangs", () => {
  it("still closes the database and exits 0 within 10 s; the lease is handed back and a restart delivers once", async () => {
    const app = await startChildApp({ mode: "polling", telegram: world.tg, minimax: world.mm, mongoUri: world.mongoUri });
    const { messageId } = await sendPhoto();
    const [task] = await world.mm.waitForTasks(1);
    const submitted = await waitForPhase("submitted", { minimax_job_id: task!.taskId });

    // MiniMax stops answering: the next status check hangs far longer than a shutdown may take.
    const queriesBefore = world.mm.queries.length;
    world.mm.delayNextQuery(30_000);
    await world.mm.waitFor(() => world.mm.queries.length > queriesBefore, 5_000, "the hanging status query");
    const held = (await world.models.Generation.findById(submitted._id).lean())!;
    expect(held.lease_owner).toMatch(new RegExp(`^${app.pid}-`));

    const sigtermAt = Date.now();
    app.kill("SIGTERM");
    const exit = await app.exited;
    const shutdownLog = app.lines.filter((l) => l.run === 0 && l.entry && Number(l.entry.time) >= sigtermAt).map((l) => l.text);
    expect(shutdownLog.join("\n"), "the shutdown never finished; main.ts's 10 s emergency exit fired").not.toMatch(/shutdown took too long/);
    expect(app.logsMatching(/^Astrolus stopped$/)).toHaveLength(1);
    expect(exit.code).toBe(0);
    expect(exit.at - sigtermAt).toBeLessThan(10_000);

    const handedBack = (await world.models.Generation.findById(submitted._id).lean())!;
    expect(handedBack).toMatchObject({ phase: "submitted", minimax_job_id: task!.taskId });
    expect(handedBack.lease_owner).toBeUndefined();
    expect(handedBack.lease_until?.getTime()).toBe(0);

    const video = makeMp4({ payloadBytes: 200_000 });
    await world.mm.succeed(task!.taskId, video);
    await app.restart();
    await expectDeliveredOnce(app, video, messageId);
    expect(world.mm.createRequests).toHaveLength(1);
  });
});

describe("SIGTERM while a claim is on its way to MongoDB", () => {
  let proxy: MongoProxy | undefined;
  afterEach(async () => {
    await killAllChildren();
    await proxy?.close();
    proxy = undefined;
  });

  it("the stopping process keeps no lease it won during the shutdown", async () => {
    proxy = await startMongoProxy(world.mongoUri);
    // A long lease: one left behind would block the generation for 30 s, far past this test.
    const app = await startChildApp({ mode: "polling", telegram: world.tg, minimax: world.mm, mongoUri: proxy.uriFor(world.mongoUri), env: { LEASE_MS: "30000" } });
    const { messageId } = await sendPhoto();
    const [task] = await world.mm.waitForTasks(1);
    const submitted = await waitForPhase("submitted", { minimax_job_id: task!.taskId });

    // The next status check claims the generation: hold that claim on the wire (a slow network),
    // and ask the process to stop while it is in flight.
    const claim = await proxy.holdNext("findAndModify", "generations");
    app.kill("SIGTERM");
    await app.waitForLog(/^shutting down$/);
    // A correct shutdown waits for the claim before handing leases back; a racy one hands back
    // first. Either way, the claim reaches MongoDB once the worker has stopped, or after 1.5 s.
    await Promise.race([app.waitForLog(/^generation worker stopped$/, 5_000).catch(() => undefined), new Promise((r) => setTimeout(r, 1_500))]);
    await claim.release();
    const exit = await app.exited;
    expect(exit.code).toBe(0);

    const after = (await world.models.Generation.findById(submitted._id).lean())!;
    expect(after.phase).toBe("submitted");
    expect(after.lease_owner, "a lease won during the shutdown was kept by the process that exited").toBeUndefined();
    expect(after.lease_until!.getTime()).toBeLessThanOrEqual(Date.now());

    const video = makeMp4({ payloadBytes: 200_000 });
    await world.mm.succeed(task!.taskId, video);
    await app.restart();
    await expectDeliveredOnce(app, video, messageId);
  });
});

describe.each(["polling", "webhook"] as const)("SIGTERM while idle (%s mode)", (mode) => {
  it("exits 0 quickly and logs that it stopped", async () => {
    const app = await startChildApp({ mode, telegram: world.tg, minimax: world.mm, mongoUri: world.mongoUri });
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);

    const sigtermAt = Date.now();
    app.kill("SIGTERM");
    const exit = await app.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sigtermAt).toBeLessThan(3_000);
    const [workerStopped] = app.logsMatching(/^generation worker stopped$/);
    expect(workerStopped?.entry).toMatchObject({ released: 0, timedOut: false });
    expect(app.logsMatching(/^Astrolus stopped$/)).toHaveLength(1);
    // The HTTP server is gone with it.
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
  });
});
