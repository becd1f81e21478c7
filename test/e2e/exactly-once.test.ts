import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { useTestApp, useTwoTestApps } from "../support/suite.js";
import { testDatabaseUri } from "../support/mongo.js";
import { botMessage, expectOneVideo, photoFrom, postUpdate, pressUpdate, sha256, taskFor, user } from "../support/scenario.js";

type Fakes = Awaited<ReturnType<typeof startFakes>>;

/** The callback MiniMax sends for a finished task, to replay by hand. */
const successBody = (mm: FakeMiniMax, taskId: string) => ({
  task_id: taskId,
  status: "success",
  file_id: String(mm.tasks.get(taskId)!.fileId),
  base_resp: { status_code: 0, status_msg: "success" },
});

async function callbackUrlOf(app: TestApp, prompt: string) {
  const gen = await eventually(() => app.db.models.Generation.findOne({ prompt }).select("+callback_token"), 5_000, "generation");
  return (base: string) => `${base}/api/minimax_callback?generation=${gen.short_id}&token=${gen.callback_token}`;
}

describe("exactly once, one instance (webhook mode)", () => {
  const s = useTestApp("once", { mode: "webhook" });

  it("an update Telegram delivers twice (same update_id) submits one paid task", async () => {
    const { tg, mm } = s;
    const sent = photoFrom(tg, user(7001), "a mug steams gently");
    // Concurrently and then once more later, as Telegram does after a slow or failed answer.
    expect(await Promise.all([postUpdate(s.app, sent.update), postUpdate(s.app, sent.update)])).toEqual([200, 200]);
    await taskFor(mm, "a mug steams gently");
    expect(await postUpdate(s.app, sent.update)).toBe(200);
    await botMessage(tg, 7001, /Got it/);
    expect(mm.createRequests.filter((r) => r.body.prompt === "a mug steams gently")).toHaveLength(1);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: 7001 })).toBe(1);
    // Sent once (the status message may have been edited since).
    expect(tg.callsTo("sendMessage").filter((c) => c.params.chat_id === 7001 && /Got it/.test(String(c.params.text)))).toHaveLength(1);
  });

  it("duplicate and concurrent success callbacks racing the poller deliver one video", async () => {
    const { tg, mm } = s;
    const sent = photoFrom(tg, user(7002), "a watch glints");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a watch glints");
    const url = (await callbackUrlOf(s.app, "a watch glints"))(s.app.url);
    const video = makeMp4({ payloadBytes: 200_000 });
    mm.suppressCallbacks(true); // we fire the callbacks ourselves, many at once
    await mm.succeed(task.taskId, video);
    const body = successBody(mm, task.taskId);
    const answers = await Promise.all(Array.from({ length: 6 }, () => mm.sendCallback(url, body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    await eventually(() => tg.videosSent(7002).length === 1, 10_000, "the video");
    await mm.sendCallback(url, { ...body, status: "Success" });
    await expectOneVideo(tg, 7002, video);
    mm.suppressCallbacks(false);
  });

  it("a callback lost on the way is recovered by the status check, in webhook mode too", async () => {
    const { tg, mm } = s;
    const sent = photoFrom(tg, user(7003), "a lamp flickers on");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a lamp flickers on");
    mm.suppressCallbacks(true);
    const video = makeMp4({ payloadBytes: 100_000 });
    await mm.succeed(task.taskId, video);
    const [delivered] = await eventually(() => tg.videosSent(7003).length > 0 && tg.videosSent(7003), 10_000, "video via polling");
    mm.suppressCallbacks(false);
    expect(delivered!.sha256).toBe(sha256(video));
    expect(mm.queries).toContain(task.taskId);
  });

  it("a create whose answer is lost is not sent again: the task is adopted from MiniMax's callback", async () => {
    const { tg, mm } = s;
    mm.failNextCreate({ drop: true });
    const sent = photoFrom(tg, user(7005), "a vase turns on a table");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a vase turns on a table");
    // The s.app heard nothing back, so it waits for a callback naming the task instead of resending.
    await eventually(async () => (await s.app.db.models.Generation.findOne({ chat_id: 7005 }))?.error_code === "unknown_outcome", 5_000, "unknown outcome");
    const video = makeMp4({ payloadBytes: 80_000 });
    await mm.succeed(task.taskId, video);
    const [delivered] = await eventually(() => tg.videosSent(7005).length > 0 && tg.videosSent(7005), 10_000, "adopted video");
    expect(delivered!.sha256).toBe(sha256(video));
    expect(mm.createRequests.filter((r) => r.body.prompt === "a vase turns on a table")).toHaveLength(1);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7005, phase: "delivered" }), 5_000, "delivered");
    expect(gen.minimax_job_id).toBe(task.taskId);
  });

  it("a 502 from the create is no proof that nothing was created: no second task, the first is adopted", async () => {
    const { tg, mm } = s;
    // A gateway passed the request on, MiniMax took the task, and the answer became a 502.
    mm.failNextCreate({ http: 502, afterCreate: true });
    const sent = photoFrom(tg, user(7006), "a clock ticks on a shelf");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a clock ticks on a shelf");
    await eventually(async () => (await s.app.db.models.Generation.findOne({ chat_id: 7006 }))?.error_code === "unknown_outcome", 5_000, "unknown outcome");
    const video = makeMp4({ payloadBytes: 70_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, 7006, video);
    const creates = mm.createRequests.filter((r) => r.body.prompt === "a clock ticks on a shelf");
    expect(creates.map((r) => r.outcome)).toEqual(["http502"]);
    expect([...mm.tasks.values()].filter((t) => t.prompt === "a clock ticks on a shelf")).toHaveLength(1);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7006, phase: "delivered" }), 5_000, "delivered");
    expect(gen.minimax_job_id).toBe(task.taskId);
  });

  it("a failure callback is confirmed and the user is told why in plain words", async () => {
    const { tg, mm } = s;
    const sent = photoFrom(tg, user(7004, "ru"), "девушка держит сумку");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "девушка держит сумку");
    await mm.fail(task.taskId, 1027);
    const notice = await botMessage(tg, 7004, /недопустим/);
    expect(notice.reply_to_message?.message_id ?? sent.messageId).toBe(sent.messageId);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7004, phase: "failed" }), 5_000, "failed generation");
    expect(gen.minimax_status).toBe("failed");
    expect(gen.error_code).toBe("sensitive_output");
    expect(tg.videosSent(7004)).toHaveLength(0);
  });

  it("a button press Telegram delivers again (🔁 Again under a delivered video) makes one generation and is answered", async () => {
    const { tg, mm } = s;
    const who = user(7007);
    const sent = photoFrom(tg, who, "a compass needle settles");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a compass needle settles");
    await mm.succeed(task.taskId, makeMp4({ payloadBytes: 40_000 }));
    const video = await tg.waitFor(() => tg.messages(7007).find((m) => m.video), 10_000, "the video");
    const original = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7007, phase: "delivered" }).lean(), 5_000, "delivered");

    const rejectedBefore = tg.rejectedCalls.length;
    const logsBefore = s.app.logs.length;
    const tap = pressUpdate(tg, who, video.message_id, "🔁 Again");
    // Telegram sends the update again when the first answer is slow (so both at once) or lost (later).
    const posts = await Promise.all([tg.deliver(tap), tg.deliver(tap)]);
    const again = await eventually(() => s.app.db.models.Generation.findOne({ variation_of: original.short_id }).lean(), 10_000, "the Again generation");
    posts.push(await tg.deliver(tap));
    expect(posts.map((p) => p?.status)).toEqual([200, 200, 200]);
    const answer = await tg.waitFor(() => tg.callbackAnswers.find((a) => a.callback_query_id === tap.callback_query!.id), 10_000, "the answer to the press");
    expect(["🎬 A new video is on its way.", "This button has already started a video."]).toContain(answer.text);

    await eventually(() => mm.createRequests.filter((r) => r.body.prompt === "a compass needle settles" && r.outcome === "accepted").length === 2, 10_000, "the second task");
    await new Promise((r) => setTimeout(r, 1_000)); // room for a second variation or create, should one be made
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: original.short_id })).toBe(1);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: 7007 })).toBe(2);
    expect(mm.createRequests.filter((r) => r.body.prompt === "a compass needle settles")).toHaveLength(2);
    // One status message for the new job, in reply to the video whose button was pressed.
    expect(tg.messages(7007).filter((m) => m.reply_to_message?.message_id === video.message_id && m.text?.includes(again.short_id))).toHaveLength(1);
    // One answer per callback query: a redelivery's second answer is refused by Telegram, and only that.
    expect(tg.callbackAnswers.filter((a) => a.callback_query_id === tap.callback_query!.id)).toHaveLength(1);
    expect(tg.rejectedCalls.slice(rejectedBefore).map((r) => `${r.method}: ${r.description}`)).toEqual(
      tg.rejectedCalls.slice(rejectedBefore).map(() => expect.stringMatching(/^answerCallbackQuery: .*query is too old/)),
    );
    // ... which is no failure of the handler: nothing logged as an error.
    expect(s.app.logs.slice(logsBefore).filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
  });
});

describe("a video over the Bot API upload limit", () => {
  it("is sent as a link with a note, not uploaded", async () => {
    const fakes = await startFakes();
    const app = await startTestApp({
      mode: "polling",
      telegram: fakes.telegram,
      minimax: fakes.minimax,
      mongoUri: testDatabaseUri("biglink"),
      env: { TELEGRAM_UPLOAD_LIMIT_MB: "1" },
    });
    try {
      const { telegram: tg, minimax: mm } = fakes;
      await tg.deliver(photoFrom(tg, user(7401), "a sofa unfolds").update);
      const task = await taskFor(mm, "a sofa unfolds");
      await mm.succeed(task.taskId, makeMp4({ payloadBytes: 1_200_000 }));
      const note = await botMessage(tg, 7401, /more than a Telegram bot can upload/);
      expect(note.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/cdn\//);
      expect(tg.videosSent(7401)).toHaveLength(0);
      expect(mm.downloads.filter((d) => d.fileId === String(mm.tasks.get(task.taskId)!.fileId))).toHaveLength(0);
      await eventually(async () => (await app.db.models.Generation.findOne({ chat_id: 7401 }))?.phase === "delivered", 5_000, "delivered");
    } finally {
      await app.stop();
      await fakes.close();
    }
  });
});

describe("a Bot API server with a lower upload limit than configured", () => {
  it("answers 413 to the upload, and the user gets the link instead", async () => {
    const fakes = await startFakes({ telegram: { maxUploadBytes: 100_000 } });
    const app = await startTestApp({ mode: "polling", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: testDatabaseUri("tg413") });
    try {
      const { telegram: tg, minimax: mm } = fakes;
      await tg.deliver(photoFrom(tg, user(7402), "a chair rocks").update);
      const task = await taskFor(mm, "a chair rocks");
      await mm.succeed(task.taskId, makeMp4({ payloadBytes: 300_000 }));
      await botMessage(tg, 7402, /more than a Telegram bot can upload/);
      expect(tg.videosSent(7402)).toHaveLength(0);
      expect(tg.rejectedCalls.map((c) => [c.method, c.error_code])).toEqual([["sendVideo", 413]]);
      await eventually(async () => (await app.db.models.Generation.findOne({ chat_id: 7402 }))?.phase === "delivered", 5_000, "delivered");
    } finally {
      await app.stop();
      await fakes.close();
    }
  });
});

describe("exactly once, two instances on one database (webhook mode)", () => {
  const two = useTwoTestApps("twoinst", {
    mode: "webhook",
    fakes: { minimax: { rpm: 5, rpmWindowMs: 1_000 } },
    env: { MINIMAX_RPM: "5", MINIMAX_RPM_WINDOW_MS: "1000", MAX_ACTIVE_PER_USER: "2" },
  });

  it("both instances receive the success callback: exactly one sendVideo", async () => {
    const { tg, mm, a, b } = two;
    const sent = photoFrom(tg, user(7101), "perfume bottle sparkles");
    await postUpdate(a, sent.update);
    const task = await taskFor(mm, "perfume bottle sparkles");
    const urlFor = await callbackUrlOf(a, "perfume bottle sparkles");
    mm.suppressCallbacks(true);
    const video = makeMp4({ payloadBytes: 150_000 });
    await mm.succeed(task.taskId, video);
    const body = successBody(mm, task.taskId);
    await Promise.all([a.url, b.url, a.url, b.url].map((base) => mm.sendCallback(urlFor(base), body)));
    await expectOneVideo(tg, 7101, video);
    mm.suppressCallbacks(false);
  });

  it("forty users at once across both instances all get their video, within MiniMax's rate limit", async () => {
    const { tg, mm, a, b } = two;
    mm.autoComplete({ afterMs: 50, video: (task) => makeMp4({ payloadBytes: 20_000 + Number(task.taskId.slice(-3)) }) });
    const users = Array.from({ length: 40 }, (_, i) => user(7200 + i));
    const before = mm.createRequests.length;
    await Promise.all(users.map((u, i) => postUpdate(i % 2 ? a : b, photoFrom(tg, u, `product ${i} spins`).update)));
    await eventually(
      async () => {
        const waiting = users.filter((u) => tg.videosSent(u.chatId).length !== 1);
        if (waiting.length === 0) return true;
        // Says, on a timeout, whether the machine was slow or a job stalled, and where.
        const gens = await a.db.models.Generation.find({ chat_id: { $in: waiting.map((u) => u.chatId) } }).lean();
        const calls = (chatId: number) => tg.callsTo("sendVideo").filter((c) => c.params.chat_id === chatId).length;
        const refused = (chatId: number) => tg.rejectedCalls.filter((c) => c.params.chat_id === chatId).map((c) => `${c.method}: ${c.description}`);
        const about = gens.map((g) => `${g.short_id} ${g.phase}${g.error_code ? `/${g.error_code}` : ""}, ${tg.videosSent(g.chat_id).length} videos, ${calls(g.chat_id)} sendVideo calls, refused: ${refused(g.chat_id).join("; ") || "none"}`);
        throw new Error(`${users.length - waiting.length} of ${users.length} delivered; waiting: ${about.join(" | ")}`);
      },
      40_000,
      "forty videos",
    );
    mm.autoComplete(null);
    const creates = mm.createRequests.slice(before);
    expect(creates.filter((r) => r.outcome === "accepted")).toHaveLength(40);
    expect(creates.filter((r) => r.outcome === 1002)).toHaveLength(0); // never over the limit
    for (const u of users) {
      const task = [...mm.tasks.values()].find((t) => t.prompt === `product ${u.chatId - 7200} spins`)!;
      expect(tg.videosSent(u.chatId)[0]!.sha256).toBe(sha256(task.video!));
    }
    // Someone had to wait, and was told their place.
    // (as first sent: status messages are edited as the jobs move on)
    const told = (u: { chatId: number }) => tg.callsTo("sendMessage").some((c) => c.params.chat_id === u.chatId && /in the queue: you're number \d+/.test(String(c.params.text)));
    expect(users.some(told)).toBe(true);
  }, 60_000);
});

describe("retries without paying twice (polling mode)", () => {
  let fakes: Fakes;
  let app: TestApp;
  const started: TestApp[] = [];
  beforeAll(async () => {
    fakes = await startFakes();
    app = await startTestApp({ mode: "polling", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: testDatabaseUri("retry") });
    started.push(app);
  });
  afterEach(() => fakes.minimax.suppressCallbacks(false));
  afterAll(async () => {
    if (process.env.DUMP_LOGS) (await import("node:fs")).writeFileSync(process.env.DUMP_LOGS, started.flatMap((s) => s.logs).join(""));
    for (const s of started) await s.stop();
    await fakes?.close();
  });

  it("retryable refusals and HTTP 429 are retried with backoff until MiniMax takes the task once", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    mm.failNextCreate({ code: 1002, msg: "rate limit" });
    mm.failNextCreate({ http: 429 });
    mm.failNextCreate({ code: 1013, msg: "internal service error" });
    const sent = photoFrom(tg, user(7301), "a shoe bounces");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a shoe bounces", 15_000);
    expect(task.imageSha256).toBe(sha256(sent.bytes));
    await mm.succeed(task.taskId, makeMp4({ payloadBytes: 50_000 }));
    await eventually(() => tg.videosSent(7301).length === 1, 10_000, "video");
    const outcomes = mm.createRequests.filter((r) => r.body.prompt === "a shoe bounces" || r.outcome !== "accepted").map((r) => r.outcome);
    expect(outcomes).toEqual([1002, "http429", 1013, "accepted"]);
  });

  it("an HTTP 5xx from the create is an unknown outcome: never sent again; without a callback the user is told", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    mm.failNextCreate({ http: 504 });
    const sent = photoFrom(tg, user(7308), "a scarf waves");
    await tg.deliver(sent.update);
    await botMessage(tg, 7308, /never confirmed that it arrived/);
    const gen = await eventually(() => app.db.models.Generation.findOne({ chat_id: 7308, phase: "failed" }), 5_000, "failed generation");
    expect(gen.error_code).toBe("unknown_outcome");
    expect(mm.createRequests.filter((r) => r.body.prompt === "a scarf waves").map((r) => r.outcome)).toEqual(["http504"]);
  });

  it("a create whose answer is lost is never sent again; the user is asked to resend", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    mm.failNextCreate({ drop: true });
    const sent = photoFrom(tg, user(7302), "a ring rotates");
    await tg.deliver(sent.update);
    await botMessage(tg, 7302, /never confirmed that it arrived/);
    await new Promise((r) => setTimeout(r, 800));
    expect(mm.createRequests.filter((r) => r.body.prompt === "a ring rotates")).toHaveLength(1);
    expect(mm.createRequests.find((r) => r.body.prompt === "a ring rotates")?.outcome).toBe("dropped");
    const gen = await eventually(() => app.db.models.Generation.findOne({ chat_id: 7302, phase: "failed" }), 5_000, "failed generation");
    expect(gen.error_code).toBe("unknown_outcome");
  });

  it("refusals that retrying cannot fix reach the user at once; operator problems are logged loudly", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    mm.failNextCreate({ code: 1026, msg: "input new_sensitive" });
    await tg.deliver(photoFrom(tg, user(7303), "a bag swings").update);
    await botMessage(tg, 7303, /declined the photo or the description/);

    mm.failNextCreate({ code: 2049, msg: "invalid api key" });
    await tg.deliver(photoFrom(tg, user(7304), "a hat spins").update);
    await botMessage(tg, 7304, /briefly unavailable/);
    expect(app.logs.some((l) => l.includes('"level":50') && l.includes("operator action needed"))).toBe(true);
    expect(mm.createRequests.filter((r) => r.outcome === "accepted" && /bag swings|hat spins/.test(String(r.body.prompt)))).toHaveLength(0);
  });

  it("Telegram 429 on sendVideo is retried after retry_after; one video arrives", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    tg.failNext("sendVideo", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    await tg.deliver(photoFrom(tg, user(7305), "a cup fills").update);
    const task = await taskFor(mm, "a cup fills");
    const video = makeMp4({ payloadBytes: 60_000 });
    await mm.succeed(task.taskId, video);
    await eventually(() => tg.videosSent(7305).length === 1, 10_000, "video after 429");
    expect(tg.videosSent(7305)[0]!.sha256).toBe(sha256(video));
    expect(tg.calls.filter((c) => c.method === "sendVideo" && c.injected)).toHaveLength(1);
  });

  it("a download cut mid-stream is retried with a fresh URL and no truncated video is ever sent", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    await tg.deliver(photoFrom(tg, user(7306), "a phone lights up").update);
    const task = await taskFor(mm, "a phone lights up");
    const video = makeMp4({ payloadBytes: 600_000 });
    mm.cutNextDownload(200_000);
    const retrievesBefore = mm.retrieves.length;
    await mm.succeed(task.taskId, video);
    await eventually(() => tg.videosSent(7306).length === 1, 10_000, "video after a cut download");
    expect(tg.videosSent(7306)[0]!.sha256).toBe(sha256(video));
    expect(mm.retrieves.length - retrievesBefore).toBeGreaterThanOrEqual(2);
    const sigs = mm.downloads.filter((d) => d.fileId === String(mm.tasks.get(task.taskId)!.fileId)).map((d) => d.sig);
    expect(new Set(sigs).size).toBe(sigs.length); // every attempt used a fresh signed URL
    expect(tg.abortedCalls).toContain("sendVideo");
  });

  it("a generation older than GENERATION_TIMEOUT_MIN is failed and the user told", async () => {
    const { telegram: tg, minimax: mm } = fakes;
    const quick = await startTestApp({
      mode: "polling",
      telegram: tg,
      minimax: mm,
      mongoUri: testDatabaseUri("timeout"),
      env: { GENERATION_TIMEOUT_MIN: "0.02" },
    });
    started.push(quick);
    await app.stop(); // one poller per bot token, as Telegram allows
    await tg.deliver(photoFrom(tg, user(7307), "a kettle whistles").update);
    await taskFor(mm, "a kettle whistles");
    await botMessage(tg, 7307, /took too long/, 10_000);
    const gen = await eventually(() => quick.db.models.Generation.findOne({ chat_id: 7307, phase: "failed" }), 5_000, "failed generation");
    expect(gen.error_code).toBe("timeout");
  });
});

describe("success callbacks the worker cannot take up at once (webhook mode, a 60 s poll)", () => {
  it("one arriving while every status check is busy, or before its task id is recorded, is acted on without waiting for the poll", async () => {
    const fakes = await startFakes({ minimax: { rpm: 100, rpmWindowMs: 60_000 } });
    const app = await startTestApp({
      mode: "webhook",
      telegram: fakes.telegram,
      minimax: fakes.minimax,
      mongoUri: testDatabaseUri("rechecks"),
      env: { MINIMAX_POLL_INTERVAL_MS: "60000", MINIMAX_RPM: "100", MINIMAX_RPM_WINDOW_MS: "60000" },
    });
    const { telegram: tg, minimax: mm } = fakes;
    try {
      // MiniMax finishes at once: callbacks race the recording of task ids, and more successes arrive
      // together than the worker checks at once (8), each check going on to deliver the video.
      mm.autoComplete({ afterMs: 0, video: (task) => makeMp4({ payloadBytes: 300_000 + Number(task.taskId.slice(-3)) }) });
      const users = Array.from({ length: 14 }, (_, i) => user(7600 + i));
      await Promise.all(users.map((u) => postUpdate(app, photoFrom(tg, u, `vase ${u.chatId} turns`).update)));
      // A third of the 60 s poll: each success was taken up when its callback came, or when a check was free.
      await eventually(() => users.every((u) => tg.videosSent(u.chatId).length === 1), 20_000, "fourteen videos");
      expect(mm.queries.length).toBeLessThanOrEqual(users.length * 2);
    } finally {
      mm.autoComplete(null);
      await app.stop();
      await fakes.close();
    }
  });
});
