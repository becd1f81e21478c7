/**
 * MongoDB outages, made with a TCP proxy between the app and its database that cuts every
 * connection and refuses new ones until it is restored. After each: the update is not lost, the
 * MiniMax task is not forgotten or paid twice, and the video arrives exactly once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Models } from "../../src/db/models.js";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { startMongoProxy, type MongoProxy } from "../support/mongo-proxy.js";
import { openDatabaseView, testDatabaseUri } from "../support/mongo.js";
import { killAllChildren, startChildApp } from "../support/child-app.js";
import { botMessage, expectOneVideo, photoFrom, taskFor, user } from "../support/scenario.js";

type Fakes = Awaited<ReturnType<typeof startFakes>>;

interface Outage {
  fakes: Fakes;
  proxy: MongoProxy;
  app: TestApp;
  /** The app's database seen directly, not through the proxy. */
  models: Models;
  /** The app's database, not through the proxy. */
  uri: string;
  /** Resolves once the app has written a log line whose msg matches. */
  logged(msg: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  health(): Promise<number>;
}

let running: Outage | undefined;
let direct: Awaited<ReturnType<typeof openDatabaseView>> | undefined;

async function startOutageApp(mode: "webhook" | "polling", env: Record<string, string> = {}): Promise<Outage> {
  const fakes = await startFakes();
  const uri = testDatabaseUri("outage");
  const proxy = await startMongoProxy(uri);
  // A short wait for an unreachable database, so each failure shows within the test's patience.
  const app = await startTestApp({ mode, telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: proxy.uriFor(uri), env: { MONGODB_TIMEOUT_MS: "500", DB_STUCK_EXIT_S: "8", ...env } });
  direct = await openDatabaseView(uri);
  const entries = () => app.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  running = {
    fakes,
    proxy,
    app,
    models: direct.models,
    uri,
    logged: (msg, timeoutMs = 20_000) => eventually(() => entries().find((e) => msg.test(String(e.msg))), timeoutMs, `a log line matching ${msg}`),
    health: async () => (await fetch(`${app.url}/healthz`)).status,
  };
  return running;
}

/** Credits: a new user starts with 3 (FREE_CREDITS) and a 6 s 768P video costs 1; nothing is charged twice. */
async function expectCharged(models: Models, userId: number, videos: number) {
  const head = await eventually(
    async () => {
      const h = await models.Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).lean();
      return h?.in_flight === 0 && h;
    },
    10_000,
    `settled credits of user ${userId}`,
  );
  expect(head.balance).toBe(3 - videos);
}

afterEach(async () => {
  if (process.env.DUMP_LOGS) console.log(running?.app.logs.map((l) => { const e = JSON.parse(l); return `${e.time} ${e.level} ${e.msg} ${e.err ?? ""} ${e.generation ?? ""}`; }).join("\n"));
  running?.proxy.restore();
  await running?.app.stop();
  await running?.proxy.close();
  await running?.fakes.close();
  await direct?.close();
  running = direct = undefined;
  await killAllChildren();
});

describe("an outage while the create request is out (webhook mode)", () => {
  it("MiniMax's challenge is still answered, the task id is written once MongoDB is back, one video", async () => {
    const { fakes, proxy, models, logged, app } = await startOutageApp("webhook");
    const { telegram: tg, minimax: mm } = fakes;
    // The database goes away the moment our create request reaches MiniMax.
    mm.beforeNextCreate(() => proxy.sever());
    const sent = photoFrom(tg, user(8101), "a kettle whistles");
    expect((await tg.deliver(sent.update))?.status).toBe(200);
    const task = await taskFor(mm, "a kettle whistles");
    expect(mm.challenges).toHaveLength(1);
    expect(mm.challenges[0]!.ok).toBe(true);

    // MiniMax answered with the task id while the database was away: kept until it can be written.
    await logged(/^the task id not recorded \(MongoDB unavailable\); retrying$/);
    expect(await running!.health()).toBe(503);
    // "reconnected" is said only by a watch that saw the outage (it looks once a second).
    await logged(/^MongoDB unreachable/);
    proxy.restore();
    await logged(/^MongoDB reconnected$/);

    const gen = await eventually(() => models.Generation.findOne({ chat_id: 8101, phase: "submitted" }).lean(), 20_000, "submitted");
    expect(gen.minimax_job_id).toBe(task.taskId);
    expect(gen.error_code).toBeUndefined();
    const video = makeMp4({ payloadBytes: 120_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 8101, video);
    expect(mm.createRequests.filter((r) => r.body.prompt === "a kettle whistles")).toHaveLength(1);
    await eventually(async () => (await models.Generation.findOne({ chat_id: 8101 }))?.phase === "delivered", 5_000, "delivered");
    expect(app.logs.join("\n")).not.toMatch(/outcome unknown/);
    await expectCharged(models, 8101, 1);
  });

  it("a refusal that arrives during the outage is written too, never turned into an unknown outcome", async () => {
    const { fakes, proxy, models, logged } = await startOutageApp("webhook");
    const { telegram: tg, minimax: mm } = fakes;
    mm.beforeNextCreate(() => proxy.sever());
    mm.failNextCreate({ code: 1026 }); // input sensitive: a definite "no", nothing was created
    await tg.deliver(photoFrom(tg, user(8102), "a bag on a chair").update);
    await logged(/^the refusal not recorded \(MongoDB unavailable\); retrying$/);
    proxy.restore();
    await botMessage(tg, 8102, /declined the photo or the description/, 20_000);
    const gen = await eventually(() => models.Generation.findOne({ chat_id: 8102, phase: "failed" }).lean(), 10_000, "failed");
    expect(gen.error_code).toBe("sensitive_input");
    expect(mm.createRequests).toHaveLength(1);
    await expectCharged(models, 8102, 0);
  });
});

describe("an outage when MiniMax calls back (webhook mode)", () => {
  it("the callback gets a 503, /healthz says 503, and the status poll delivers once MongoDB is back", async () => {
    const { fakes, proxy, models, logged, health } = await startOutageApp("webhook");
    const { telegram: tg, minimax: mm } = fakes;
    await tg.deliver(photoFrom(tg, user(8201), "a candle flickers").update);
    const task = await taskFor(mm, "a candle flickers");
    await eventually(() => models.Generation.findOne({ chat_id: 8201, phase: "submitted" }), 10_000, "submitted");

    proxy.sever();
    const video = makeMp4({ payloadBytes: 150_000 });
    const callback = await mm.succeed(task.taskId, video);
    expect(callback?.status).toBe(503);
    expect(await health()).toBe(503);
    expect(tg.videosSent(8201)).toHaveLength(0);
    await logged(/^MongoDB unreachable/);

    proxy.restore();
    await logged(/^MongoDB reconnected$/);
    await eventually(async () => (await health()) === 200, 10_000, "/healthz 200 again");
    await expectOneVideo(tg, 8201, video);
  });
});

describe("an outage during delivery (webhook mode)", () => {
  it("the video Telegram took is recorded once MongoDB is back and never sent again", async () => {
    // A lease far longer than this outage: the upload goes on through it (see the next test for one that outlives the lease).
    const { fakes, proxy, models, logged } = await startOutageApp("webhook", { LEASE_MS: "20000" });
    const { telegram: tg, minimax: mm } = fakes;
    await tg.deliver(photoFrom(tg, user(8301), "a clock ticks").update);
    const task = await taskFor(mm, "a clock ticks");
    const video = makeMp4({ payloadBytes: 900_000 });
    mm.throttleDownloads(150_000);
    await mm.succeed(task.taskId, video);
    // The video is on its way from the CDN into sendVideo when the database goes away.
    await eventually(() => mm.downloads.find((d) => d.status === 200 && d.bytesSent > 0 && !d.completed), 15_000, "a download under way");
    proxy.sever();
    mm.throttleDownloads(null);
    await eventually(() => tg.videosSent(8301).length > 0, 15_000, "the video in the chat");
    await logged(/^the delivery not recorded \(MongoDB unavailable\); retrying$/);
    proxy.restore();
    await logged(/^video delivered$/);
    await expectOneVideo(tg, 8301, video);
    const gen = await eventually(() => models.Generation.findOne({ chat_id: 8301, phase: "delivered" }).lean(), 5_000, "delivered");
    expect(gen.telegram_video_file_id).toBe(tg.videosSent(8301)[0]!.message.video?.file_id);
    await expectCharged(models, 8301, 1);
  });
});

describe("an outage longer than the lease during delivery (webhook mode, two instances)", () => {
  it("the cut-off instance stops its upload before its lease runs out; the instance that claims it next delivers once", async () => {
    const { fakes, proxy, models, uri, logged, app: cutOff } = await startOutageApp("webhook", { LEASE_MS: "3000" });
    const { telegram: tg, minimax: mm } = fakes;
    await tg.deliver(photoFrom(tg, user(8311), "a lamp glows").update);
    const task = await taskFor(mm, "a lamp glows");
    const video = makeMp4({ payloadBytes: 900_000 });
    mm.throttleDownloads(60_000); // 15 s for the whole video: still streaming when the lease runs out
    await mm.succeed(task.taskId, video);
    await eventually(() => mm.downloads.find((d) => d.status === 200 && d.bytesSent > 0 && !d.completed), 15_000, "a download under way");
    const held = (await models.Generation.findOne({ chat_id: 8311 }).lean())!;
    expect(held.phase).toBe("delivering");
    expect(held.lease_owner).toBeTruthy();
    proxy.sever();
    // No renewal gets through from here: this is when the lease runs out and another instance may claim it.
    const leaseEnds = (await models.Generation.findById(held._id).lean())!.lease_until!.getTime();
    // A second instance, with a working connection, is ready to take the generation once the lease expires.
    const other = await startTestApp({
      mode: "webhook",
      telegram: tg,
      minimax: mm,
      mongoUri: uri,
      env: { LEASE_MS: "3000", MONGODB_TIMEOUT_MS: "500" },
    });
    try {
      const lost = await logged(/^lease lost; the step stops$/, 10_000);
      expect(lost.why).toBe("renewal overdue");
      expect(Number(lost.time)).toBeLessThan(leaseEnds);
      // The CDN speeds up: an upload still under way would now reach the chat.
      mm.throttleDownloads(null);
      await expectOneVideo(tg, 8311, video, 2_000);
      const delivered = await eventually(() => models.Generation.findOne({ chat_id: 8311, phase: "delivered" }).lean(), 10_000, "delivered");
      expect(delivered.lease_epoch).toBeGreaterThan(held.lease_epoch);
      expect(other.logs.some((l) => /"msg":"video delivered"/.test(l))).toBe(true);

      // Back online, the cut-off instance writes nothing over the other's delivery.
      proxy.restore();
      await logged(/^MongoDB reconnected$/);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await models.Generation.findOne({ chat_id: 8311 }).lean()).toMatchObject({ phase: "delivered", deliver_attempts: delivered.deliver_attempts, lease_epoch: delivered.lease_epoch });
      expect(tg.videosSent(8311)).toHaveLength(1);
      expect(cutOff.logs.some((l) => /"msg":"video delivered"/.test(l))).toBe(false);
      await expectCharged(models, 8311, 1);
    } finally {
      await other.stop();
    }
  });
});

describe("a photo sent during an outage", () => {
  it("webhook mode: the update is answered 503, and Telegram's redelivery after the outage is taken once", async () => {
    const { fakes, proxy, models, logged, health } = await startOutageApp("webhook");
    const { telegram: tg, minimax: mm } = fakes;
    proxy.sever();
    await eventually(async () => (await health()) === 503, 10_000, "/healthz 503");
    const sent = photoFrom(tg, user(8401), "a shoe spins");
    const first = await tg.deliver(sent.update);
    expect(first?.status).toBe(503);
    await logged(/^update not stored \(MongoDB unavailable\); Telegram will redeliver it$/);
    expect(tg.messages(8401)).toHaveLength(0);

    proxy.restore();
    // Telegram keeps delivering an update until it is answered 2xx.
    await eventually(async () => (await tg.deliver(sent.update))?.status === 200, 15_000, "the redelivery accepted");
    // /healthz answers from the database watch, which hears of the recovery at its next check: the
    // update may be taken a moment before that (CI saw 503 here once under load).
    await eventually(async () => (await health()) === 200, 5_000, "/healthz 200 again");
    const task = await taskFor(mm, "a shoe spins");
    await botMessage(tg, 8401, /Got it/);
    const video = makeMp4({ payloadBytes: 90_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 8401, video);
    expect(tg.messages(8401).filter((m) => /Got it/.test(m.text ?? ""))).toHaveLength(1);
    expect(await models.Generation.countDocuments({ chat_id: 8401 })).toBe(1);
    await expectCharged(models, 8401, 1);
    expect(mm.createRequests).toHaveLength(1);
  });

  it("webhook mode: cut between storing the request and admitting it, the redelivery admits it and answers once", async () => {
    const { fakes, proxy, models } = await startOutageApp("webhook");
    const { telegram: tg, minimax: mm } = fakes;
    // The ledger write that admits it (the credit reservation) is on the wire when the database goes away.
    const held = proxy.holdNext("insert", "ledger");
    const sent = photoFrom(tg, user(8402), "a cup spins");
    const first = tg.deliver(sent.update);
    await held;
    proxy.sever();
    expect((await first)?.status).toBe(503);
    const stored = await models.Generation.findOne({ chat_id: 8402 }).lean();
    expect(stored?.next_run_at.getTime(), "stored, but held back from the worker").toBeGreaterThan(Date.now() + 1e12);

    proxy.restore();
    await eventually(async () => (await tg.deliver(sent.update))?.status === 200, 15_000, "the redelivery accepted");
    const task = await taskFor(mm, "a cup spins", 20_000);
    await botMessage(tg, 8402, /Got it/);
    const video = makeMp4({ payloadBytes: 60_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 8402, video);
    expect(tg.messages(8402).filter((m) => /Got it/.test(m.text ?? ""))).toHaveLength(1);
    expect(await models.Generation.countDocuments({ chat_id: 8402 })).toBe(1);
    await expectCharged(models, 8402, 1);
  });

  it("polling mode: the update is handled again once MongoDB is back, not skipped", async () => {
    const { fakes, proxy, models, logged } = await startOutageApp("polling");
    const { telegram: tg, minimax: mm } = fakes;
    proxy.sever();
    const sent = photoFrom(tg, user(8501), "a lamp glows");
    await tg.deliver(sent.update);
    await logged(/^update not stored \(MongoDB unavailable\); handling it again$/);
    proxy.restore();
    await logged(/^update handled after the database came back$/, 15_000);
    const task = await taskFor(mm, "a lamp glows");
    await botMessage(tg, 8501, /Got it/);
    const video = makeMp4({ payloadBytes: 90_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 8501, video);
    expect(tg.messages(8501).filter((m) => /Got it/.test(m.text ?? ""))).toHaveLength(1);
    expect(await models.Generation.countDocuments({ chat_id: 8501 })).toBe(1);
    await expectCharged(models, 8501, 1);
  });
});

describe("an operation in flight at the cut", () => {
  it("the app logs 'MongoDB reconnected' after the outage and its work resumes", async () => {
    const { fakes, proxy, logged } = await startOutageApp("polling", { DB_STUCK_EXIT_S: "4" });
    const { telegram: tg, minimax: mm } = fakes;
    // The worker's next sweep query is on the wire when the database goes away.
    const held = await proxy.holdNext("find", "generations");
    proxy.sever();
    await logged(/^MongoDB unreachable/);
    proxy.restore();
    await held.release();
    await logged(/^MongoDB reconnected$/, 20_000);

    await tg.deliver(photoFrom(tg, user(8601), "a kite flutters").update);
    const task = await taskFor(mm, "a kite flutters");
    const video = makeMp4({ payloadBytes: 70_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 8601, video);
  }, 40_000);
});

describe("shutdown on a dead database", () => {
  it("SIGTERM while MongoDB is away still exits 0 within the shutdown limit", async () => {
    const fakes = await startFakes();
    const uri = testDatabaseUri("outagestop");
    const proxy = await startMongoProxy(uri);
    try {
      const app = await startChildApp({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: proxy.uriFor(uri), env: { MONGODB_TIMEOUT_MS: "500" } });
      const sent = photoFrom(fakes.telegram, user(8701), "a fan turns");
      await fakes.telegram.deliver(sent.update);
      await taskFor(fakes.minimax, "a fan turns");
      proxy.sever();
      await app.waitForLog(/^MongoDB unreachable/);
      const sigtermAt = Date.now();
      app.kill("SIGTERM");
      const exit = await app.exited;
      expect(exit.code).toBe(0);
      // main.ts's own limit is 10 s ("shutdown took too long", exit 1): a dead database must not reach it.
      expect(exit.at - sigtermAt).toBeLessThan(10_000);
      expect(app.logsMatching(/shutdown took too long/)).toHaveLength(0);
      expect(app.logsMatching(/^Astrolus stopped$/)).toHaveLength(1);
    } finally {
      await killAllChildren();
      await proxy.close();
      await fakes.close();
    }
  }, 40_000);
});
