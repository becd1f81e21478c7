/**
 * MiniMax-H3 through MiniMax's v2 API (contract, section 7), end to end: the real bot, the fake Bot
 * API and the fake MiniMax, which serves v2 beside v1 and refuses what the contract refuses.
 */
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, startTestApp } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, buttonLabels, expectOneVideo, photoFrom, press, sha256, taskFor, user, type TestUser } from "../support/scenario.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import type { Suite } from "../support/suite.js";
import { fitsRow } from "../../src/telegram/keyboards.js";
import { makeJpeg } from "../support/images.js";

const MODELS = "MiniMax-Hailuo-02,MiniMax-H3,MiniMax-H3-Max";

/** The v2 creates whose text item is `text`. */
const createsFor = (mm: FakeMiniMax, text: string) =>
  mm.createRequests.filter((r) => r.api === "v2" && Array.isArray(r.body.content) && (r.body.content as Array<{ text?: string }>)[0]?.text === text);

/** The user's next videos are made by `model` at `duration` and `resolution` (as /settings would store it). */
async function useModel(s: Suite, who: TestUser, model: string, duration = 5, resolution = "768P") {
  await s.app.db.models.User.updateOne({ _id: who.userId }, { $set: { settings: { model, duration, resolution } } }, { upsert: true });
}

const messageOf = (s: Suite, who: TestUser, id: number) => s.tg.messages(who.chatId).find((m) => m.message_id === id)!;
/** Every button label the bot put under its messages to `who` that is too long for its row (issue 21's rule). */
const tooLong = (s: Suite, who: TestUser) =>
  s.tg.messages(who.chatId).flatMap((m) => buttonLabels(s.tg, who.chatId, m.message_id).flatMap((row) => row.filter((label) => !fitsRow(label, row.length))));
const ledgerOf = async (s: Suite, who: TestUser) =>
  (await s.app.db.models.Ledger.find({ user_id: who.userId }).sort({ seq: 1 }).lean()).map((e) => [e.kind, e.credits]);

describe("MiniMax-H3 on the v2 API, webhook mode", () => {
  const s = useTestApp("h3", {
    mode: "webhook",
    env: { MINIMAX_MODELS: MODELS, FREE_CREDITS: "100", MAX_ACTIVE_PER_USER: "10", TELEGRAM_UPLOAD_LIMIT_MB: "1" },
  });

  it("H3 picked in /settings, with its price: one v2 create with the caption and the photo as first frame; the video arrives byte for byte, with sound in its caption", async () => {
    const en = user(9801, "en");
    await s.tg.deliver(s.tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(s.tg, en.chatId, /⚙️ Settings/);
    await press(s.tg, en, menu.message_id, "🤖 Model: Hailuo 02");
    await s.tg.waitFor(() => /Model for your next videos/.test(messageOf(s, en, menu.message_id).text ?? ""));
    const list = messageOf(s, en, menu.message_id).text!;
    expect(list).toContain("• MiniMax H3: 5 to 15 s with sound, 768P or 2K. 5 s at 768P: 1 credit.");
    expect(list).toContain("• MiniMax H3 Max: 5 to 15 s with sound, 480P or 768P. 5 s at 768P: 1 credit.");
    await press(s.tg, en, menu.message_id, "MiniMax H3");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[1]?.[0] === "✅ MiniMax H3");
    await press(s.tg, en, menu.message_id, "⬅️ Back");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[0]?.[0] === "🤖 Model: MiniMax H3");
    // H3's lengths and qualities; no prompt optimizer, no camera moves; albums (it takes references). The text says what a video costs.
    expect(buttonLabels(s.tg, en.chatId, menu.message_id)).toEqual([["🤖 Model: MiniMax H3"], ["✅ ⏱ 5 s", "⏱ 8 s", "⏱ 10 s", "⏱ 15 s"], ["✅ 768P", "2K"], ["📐 Original"], ["📚 Albums: a video per photo"]]);
    expect(messageOf(s, en, menu.message_id).text).toContain("A video with these settings costs 1 credit.");
    expect(messageOf(s, en, menu.message_id).text).toContain("⏱ 8 s: Ozon wants 8 s or more.");
    await press(s.tg, en, menu.message_id, "⏱ 10 s");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[1]?.[2] === "✅ ⏱ 10 s");
    expect(messageOf(s, en, menu.message_id).text).toContain("A video with these settings costs 2 credits.");
    await press(s.tg, en, menu.message_id, "2K");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[2]?.[1] === "✅ 2K");
    expect(messageOf(s, en, menu.message_id).text).toContain("A video with these settings costs 3 credits.");

    const sent = photoFrom(s.tg, en, "the kettle steams and clicks off", { width: 1280, height: 720 });
    await s.tg.deliver(sent.update);
    const task = await taskFor(s.mm, "the kettle steams and clicks off");
    const [create] = createsFor(s.mm, "the kettle steams and clicks off");
    expect(create).toMatchObject({ outcome: "accepted", taskId: task.taskId });
    // Exactly this body: no ratio with a frame, no aigc_watermark, no prompt optimizer.
    expect(create!.body).toEqual({
      model: "MiniMax-H3",
      content: [
        { type: "text", text: "the kettle steams and clicks off" },
        { type: "image_url", image_url: "<image>", role: "first_frame" },
      ],
      resolution: "2K",
      duration: 10,
      callback_url: expect.stringMatching(/\/api\/minimax_callback\?generation=\w+&token=[\w-]{20,}$/),
    });
    expect(sha256(create!.frames![0]!.bytes!)).toBe(sha256(sent.bytes));
    expect(s.mm.challenges.find((c) => c.url === create!.body.callback_url)?.ok).toBe(true);
    expect(s.mm.createRequests.filter((r) => r.api === "v1")).toEqual([]);
    await botMessage(s.tg, en.chatId, /Price: 3 credits/);

    await s.mm.process(task.taskId);
    const video = makeMp4({ durationSeconds: 10, payloadBytes: 300_000 });
    await s.mm.succeed(task.taskId, video);
    await expectOneVideo(s.tg, en.chatId, video);
    const [upload] = s.tg.videosSent(en.chatId);
    expect(upload!.params).toMatchObject({ duration: 10, supports_streaming: true, cover: sent.update.message!.photo!.at(-1)!.file_id });
    const message = s.tg.messages(en.chatId).find((m) => m.message_id === upload!.messageId)!;
    expect(message.caption).toContain("📐 Original · 🤖 MiniMax H3 · 🔊 with sound");
    // H3 reads no bracket commands: no "Another camera move" under its video.
    expect(buttonLabels(s.tg, en.chatId, upload!.messageId)).toEqual([["🔁 Again"], ["📐 Format", "🧩 Template"], ["✍️ New description"]]);
    const gen = (await s.app.db.models.Generation.findOne({ user_prompt: "the kettle steams and clicks off" }).lean())!;
    expect(gen).toMatchObject({ model: "MiniMax-H3", duration: 10, resolution: "2K", price: 3, minimax_job_id: task.taskId });
    expect((await ledgerOf(s, en)).slice(-2)).toEqual([["reserve", -3], ["capture", 0]]);
    // The v2 success callback made the status check run (the poll would wait 10 s), labelled by API and model.
    expect(s.app.logs.some((l) => l.includes('"msg":"MiniMax callback"') && l.includes(gen.short_id) && l.includes('"status":"succeeded"') && l.includes('"recheck":true'))).toBe(true);
    expect(s.app.logs.some((l) => l.includes('"msg":"MiniMax request"') && l.includes('"api":"v2"') && l.includes('"model":"MiniMax-H3"') && l.includes('"endpoint":"v2/query/video_generation/{id}"'))).toBe(true);
    expect(tooLong(s, en)).toEqual([]);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("a two-photo album for a user whose model is H3 is made by H3: the first photo as first_frame, the second as last_frame, in album order", async () => {
    const en = user(9809, "en");
    await useModel(s, en, "MiniMax-H3", 5, "768P");
    const caption = "the gift box opens and the watch rises";
    const mediaGroupId = "24681012141618";
    const first = makeJpeg(1280, 720);
    const second = makeJpeg(1280, 720);
    const [one, two] = [first, second].map((bytes, i) =>
      s.tg.photoUpdate({ ...en, mediaGroupId, ...(i === 0 ? { caption } : {}), photo: s.tg.addPhoto(bytes, 1280, 720) }),
    );
    // The parts arrive in reverse order.
    await s.tg.deliver(two!);
    await s.tg.deliver(one!);
    const task = await taskFor(s.mm, caption, 15_000);
    const creates = createsFor(s.mm, caption);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({
      model: "MiniMax-H3",
      content: [
        { type: "text", text: caption },
        { type: "image_url", role: "first_frame" },
        { type: "image_url", role: "last_frame" },
      ],
      resolution: "768P",
      duration: 5,
    });
    expect(creates[0]!.body).not.toHaveProperty("ratio");
    const [firstFrame, lastFrame] = creates[0]!.frames!;
    expect(firstFrame!.role).toBe("first_frame");
    expect(sha256(firstFrame!.bytes!)).toBe(sha256(first));
    expect(lastFrame!.role).toBe("last_frame");
    expect(sha256(lastFrame!.bytes!)).toBe(sha256(second));
    expect(s.mm.createRequests.filter((r) => r.api === "v1" && r.body.prompt === caption)).toEqual([]);
    const video = makeMp4({ payloadBytes: 30_000 });
    await s.mm.succeed(task.taskId, video);
    await expectOneVideo(s.tg, en.chatId, video);
  });

  it("a 500 on the create is an unknown outcome: never sent again, and the task the callback names is adopted once a query confirms it", async () => {
    const en = user(9802, "en");
    await useModel(s, en, "MiniMax-H3");
    s.mm.failNextCreate({ http: 500, afterCreate: true });
    await s.tg.deliver(photoFrom(s.tg, en, "the lamp flickers on").update);
    const task = await taskFor(s.mm, "the lamp flickers on");
    const waiting = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the lamp flickers on", error_code: "unknown_outcome" }).lean(), 10_000, "the unknown outcome recorded");
    expect(waiting).toMatchObject({ phase: "submitted" });
    expect(waiting.minimax_job_id).toBeUndefined();

    await s.mm.process(task.taskId); // MiniMax's "running" callback names the task
    await eventually(async () => (await s.app.db.models.Generation.findById(waiting._id).lean())?.minimax_job_id === task.taskId, 10_000, "the task adopted");
    const video = makeMp4({ payloadBytes: 120_000 });
    await s.mm.succeed(task.taskId, video);
    await expectOneVideo(s.tg, en.chatId, video);
    expect(createsFor(s.mm, "the lamp flickers on").map((r) => r.outcome)).toEqual(["http500"]);
    expect((await ledgerOf(s, en)).slice(-2)).toEqual([["reserve", -1], ["capture", 0]]);
  });

  it("429 is retried after a pause; 422 is told to the user in plain words and the credits come back", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 40_000 }) });
    const en = user(9803, "en");
    await useModel(s, en, "MiniMax-H3");
    s.mm.failNextCreate({ code: 1002 });
    await s.tg.deliver(photoFrom(s.tg, en, "the watch ticks").update);
    await eventually(() => s.tg.videosSent(en.chatId).length === 1, 15_000, "the video after the retry");
    expect(createsFor(s.mm, "the watch ticks").map((r) => r.outcome)).toEqual([1002, "accepted"]);

    const ru = user(9804, "ru");
    await useModel(s, ru, "MiniMax-H3-Max", 8, "480P");
    s.mm.failNextCreate({ code: 1026 });
    await s.tg.deliver(photoFrom(s.tg, ru, "сумка на пляже").update);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "сумка на пляже", phase: "failed" }).lean(), 10_000, "the refused job closed");
    expect(gen.error_code).toBe("sensitive_input");
    await botMessage(s.tg, ru.chatId, new RegExp(`❌ Задача ${gen.short_id}: MiniMax не пропустил фото или описание`));
    expect(createsFor(s.mm, "сумка на пляже").map((r) => r.outcome)).toEqual([1026]);
    expect(createsFor(s.mm, "сумка на пляже")[0]!.body).toMatchObject({ model: "MiniMax-H3-Max", resolution: "480P", duration: 8 });
    expect((await ledgerOf(s, ru)).slice(-2)).toEqual([["reserve", -2], ["release", 2]]);
    expect(s.tg.videosSent(ru.chatId)).toEqual([]);
    s.mm.autoComplete(null);
  });

  it("Russian: ✖️ Отменить stays while MiniMax has the task queued; a press sends DELETE, the credits come back and nothing is delivered; once it runs it is too late", { timeout: 60_000 }, async () => {
    const ru = user(9805, "ru");
    await useModel(s, ru, "MiniMax-H3");
    const sent = photoFrom(s.tg, ru, "часы на руке");
    await s.tg.deliver(sent.update);
    const task = await taskFor(s.mm, "часы на руке");
    const status = await s.tg.waitFor(() => s.tg.messages(ru.chatId).find((m) => m.reply_to_message?.message_id === sent.messageId && m.text), 10_000, "the status message");
    // The status message moves on to "with MiniMax" and keeps the button: MiniMax still queues the task.
    await s.tg.waitFor(() => /у MiniMax/.test(messageOf(s, ru, status.message_id).text ?? ""), 15_000, "the status message edited");
    expect(buttonLabels(s.tg, ru.chatId, status.message_id)).toEqual([["✖️ Отменить"]]);

    const answer = await press(s.tg, ru, status.message_id, "✖️ Отменить");
    expect(answer.text).toBe("Отменено: задача не будет выполнена, кредиты вернутся на баланс.");
    expect(s.mm.deletes.map((d) => [d.taskId, d.status])).toEqual([[task.taskId, 200]]);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "часы на руке", phase: "failed" }).lean(), 10_000, "the cancelled job closed");
    expect(gen).toMatchObject({ error_code: "cancelled", minimax_job_id: task.taskId });
    await s.tg.waitFor(() => /отменена до того, как MiniMax начал её делать. Кредиты вернулись на баланс/.test(messageOf(s, ru, status.message_id).text ?? ""), 15_000, "the cancelled status");
    expect(buttonLabels(s.tg, ru.chatId, status.message_id)).toEqual([]);
    await botMessage(s.tg, ru.chatId, /отменена, как вы просили: MiniMax ещё не начал её делать\. Кредиты вернулись на баланс/);
    expect((await ledgerOf(s, ru)).slice(-2)).toEqual([["reserve", -1], ["release", 1]]);

    // A second job that MiniMax has started: too late, and nothing is cancelled.
    const second = photoFrom(s.tg, ru, "часы на столе");
    await s.tg.deliver(second.update);
    const running = await taskFor(s.mm, "часы на столе");
    await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "часы на столе", phase: "submitted" }).lean(), 10_000, "the task id recorded");
    await s.mm.process(running.taskId);
    const secondStatus = await s.tg.waitFor(() => s.tg.messages(ru.chatId).find((m) => m.reply_to_message?.message_id === second.messageId && m.text), 10_000, "the second status message");
    expect((await press(s.tg, ru, secondStatus.message_id, "✖️ Отменить")).text).toBe("Отменить уже нельзя: задача у MiniMax. Кредиты спишутся, только если видео получится.");
    expect(s.mm.tasks.get(running.taskId)!.status).toBe("running");
    const video = makeMp4({ payloadBytes: 50_000 });
    await s.mm.succeed(running.taskId, video);
    await expectOneVideo(s.tg, ru.chatId, video);
    // Only the second job's video: the cancelled one never came.
    expect(s.tg.videosSent(ru.chatId)).toHaveLength(1);
    expect(tooLong(s, ru)).toEqual([]);
  });

  it("a cut download asks MiniMax again for a fresh URL before it retries; a video over the upload limit comes as a link", { timeout: 60_000 }, async () => {
    const en = user(9806, "en");
    await useModel(s, en, "MiniMax-H3");
    await s.tg.deliver(photoFrom(s.tg, en, "the drone lifts off").update);
    const task = await taskFor(s.mm, "the drone lifts off");
    const video = makeMp4({ payloadBytes: 400_000 });
    s.mm.cutNextDownload(100_000);
    const queriesBefore = s.mm.queries.filter((q) => q === task.taskId).length;
    await s.mm.succeed(task.taskId, video);
    await expectOneVideo(s.tg, en.chatId, video);
    const downloads = s.mm.downloads.filter((d) => d.fileId === task.fileId);
    expect(downloads.map((d) => d.completed)).toEqual([false, true]);
    expect(new Set(downloads.map((d) => d.sig)).size).toBe(2);
    // The status check, then a query before each download.
    expect(s.mm.queries.filter((q) => q === task.taskId).length - queriesBefore).toBeGreaterThanOrEqual(3);

    const big = user(9807, "en");
    await useModel(s, big, "MiniMax-H3", 15, "2K");
    await s.tg.deliver(photoFrom(s.tg, big, "the car drives by").update);
    const bigTask = await taskFor(s.mm, "the car drives by");
    await s.mm.succeed(bigTask.taskId, makeMp4({ payloadBytes: 1_500_000 }));
    const link = await botMessage(s.tg, big.chatId, /more than a Telegram bot can upload/);
    expect(link.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/cdn\/\d+\/output\.mp4\?sig=/);
    expect(s.tg.videosSent(big.chatId)).toEqual([]);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the car drives by", phase: "delivered" }).lean(), 10_000, "the link recorded");
    expect(gen.video_bytes).toBeGreaterThan(1_500_000);
  });
});

describe("an H3 task still queued at its timeout (webhook mode, GENERATION_TIMEOUT_MIN 0.1)", () => {
  const s = useTestApp("h3timeout", { mode: "webhook", env: { MINIMAX_MODELS: MODELS, FREE_CREDITS: "5", GENERATION_TIMEOUT_MIN: "0.1" } });

  it("MiniMax refuses the DELETE because the task has just started: the job is followed on, its video delivered and charged", { timeout: 60_000 }, async () => {
    const en = user(9815, "en");
    await useModel(s, en, "MiniMax-H3");
    await s.tg.deliver(photoFrom(s.tg, en, "the lamp swings").update);
    const task = await taskFor(s.mm, "the lamp swings");
    // The first status check comes after the timeout (H3 is checked every 10 s at most) and finds the
    // task queued; it starts just as the DELETE arrives, so MiniMax refuses to cancel it.
    s.mm.beforeNextDelete(() => void s.mm.process(task.taskId));
    await s.mm.waitFor(() => s.mm.deletes.length > 0, 20_000, "the DELETE");
    expect(s.mm.deletes.map((d) => [d.taskId, d.status])).toEqual([[task.taskId, 400]]);
    await new Promise((r) => setTimeout(r, 1_000));
    const video = makeMp4({ payloadBytes: 40_000 });
    await s.mm.succeed(task.taskId, video);
    await expectOneVideo(s.tg, en.chatId, video);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the lamp swings", phase: "delivered" }).lean(), 10_000, "the delivery");
    expect(gen.error_code ?? null).toBeNull();
    expect(gen.timeout_restarted_at).toBeInstanceOf(Date);
    expect((await ledgerOf(s, en)).slice(-2)).toEqual([["reserve", -1], ["capture", 0]]);
    expect(s.tg.messages(en.chatId).some((m) => /took too long/.test(m.text ?? ""))).toBe(false);
  });
});

describe("MiniMax-H3 without a callback (polling mode)", () => {
  const s = useTestApp("h3polling", { mode: "polling", env: { MINIMAX_MODELS: MODELS, FREE_CREDITS: "20" } });

  it("an H3 job is polled no more often than every 10 s (a Hailuo job at MINIMAX_POLL_INTERVAL_MS); a lost create answer is told at once, with the credits back", async () => {
    const en = user(9811, "en");
    await useModel(s, en, "MiniMax-H3");
    await s.tg.deliver(photoFrom(s.tg, en, "the chair rocks").update);
    await taskFor(s.mm, "the chair rocks");
    const h3 = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the chair rocks", phase: "submitted" }).lean(), 10_000, "the H3 job submitted");
    expect(h3.next_run_at.getTime() - h3.submitted_at!.getTime()).toBeGreaterThanOrEqual(10_000);

    const hailuo = user(9812, "en");
    await s.tg.deliver(photoFrom(s.tg, hailuo, "the chair spins").update);
    await taskFor(s.mm, "the chair spins");
    const v1 = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the chair spins", phase: "submitted" }).lean(), 10_000, "the Hailuo job submitted");
    expect(v1.next_run_at.getTime() - v1.submitted_at!.getTime()).toBeLessThan(1_000);

    s.mm.failNextCreate({ http: 529, afterCreate: true });
    await s.tg.deliver(photoFrom(s.tg, en, "the chair tips over").update);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the chair tips over", phase: "failed" }).lean(), 10_000, "the job told at once");
    expect(gen.error_code).toBe("unknown_outcome");
    await botMessage(s.tg, en.chatId, new RegExp(`${gen.short_id}: MiniMax never confirmed that it arrived.*Your credits are back`));
    expect(createsFor(s.mm, "the chair tips over").map((r) => r.outcome)).toEqual(["http529"]);
    expect((await ledgerOf(s, en)).slice(-2)).toEqual([["reserve", -1], ["release", 1]]);
  });
});

describe("limits per API, two instances", () => {
  // Hailuo: one create a minute. H3: MiniMax's 30 tasks in flight (the fake refuses a 31st with 429).
  const LIMITS = { MINIMAX_MODELS: MODELS, MINIMAX_RPM: "1", MINIMAX_RPM_WINDOW_MS: "60000", FREE_CREDITS: "5" };
  const s = useTestApp("h3limits", { mode: "webhook", env: LIMITS });
  let second: Suite["app"] | undefined;

  it("thirty-one H3 jobs over two instances: never more than 30 in flight at MiniMax; a Hailuo job is not held behind them, nor they behind Hailuo's queue", { timeout: 120_000 }, async () => {
    second = await startTestApp({ mode: "webhook", telegram: s.tg, minimax: s.mm, mongoUri: s.app.config.mongodbUri!, env: LIMITS });
    try {
      const users = Array.from({ length: 31 }, (_, i) => user(9900 + i, "en"));
      for (const u of users) await useModel(s, u, "MiniMax-H3");
      await Promise.all(users.map((u, i) => s.tg.deliver(photoFrom(s.tg, u, `burst ${i}`).update)));
      await s.mm.waitForTasks(30, 60_000);
      // A Hailuo photo now: its lane is free, so it goes at once although an H3 job waits.
      const hailuo = user(9950, "en");
      await s.tg.deliver(photoFrom(s.tg, hailuo, "hailuo first").update);
      await taskFor(s.mm, "hailuo first", 15_000);
      // Two more Hailuo photos wait a minute for MINIMAX_RPM; meanwhile the 31st H3 job is still held back.
      await s.tg.deliver(photoFrom(s.tg, user(9951, "en"), "hailuo second").update);
      await s.tg.deliver(photoFrom(s.tg, user(9952, "en"), "hailuo third").update);
      await new Promise((r) => setTimeout(r, 1_500));
      const h3Tasks = () => [...s.mm.tasks.values()].filter((t) => t.api === "v2");
      expect(h3Tasks()).toHaveLength(30);
      expect(s.mm.v2InFlight()).toBe(30);

      // One H3 task ends: the 31st is created at once, though the Hailuo queue is still waiting.
      const finished = h3Tasks()[0]!;
      await s.mm.succeed(finished.taskId, makeMp4({ payloadBytes: 20_000 }));
      await eventually(() => h3Tasks().length === 31, 20_000, "the 31st H3 task");
      expect(s.mm.tasks.size).toBe(32); // 31 H3, 1 Hailuo
      for (const task of h3Tasks().slice(1)) await s.mm.succeed(task.taskId, makeMp4({ payloadBytes: 20_000 }));
      await eventually(() => users.every((u) => s.tg.videosSent(u.chatId).length === 1), 60_000, "31 H3 videos");
      expect(s.mm.peakV2InFlight).toBe(30);
      // MiniMax never had to refuse one: the bot kept to the limit itself, across both instances.
      expect(s.mm.createRequests.filter((r) => r.api === "v2").map((r) => r.outcome)).toEqual(Array(31).fill("accepted"));
      expect(s.mm.createRequests.filter((r) => r.api === "v1")).toHaveLength(1);
      const slots = await s.app.db.models.RateSlot.find({ _id: /^minimax-v2-task:/ }).lean();
      expect(slots).toHaveLength(30);
      await eventually(async () => (await s.app.db.models.RateSlot.countDocuments({ _id: /^minimax-v2-task:/, holder: { $exists: true } })) === 0, 10_000, "every task slot given back");
    } finally {
      await second?.stop();
    }
  });
});
