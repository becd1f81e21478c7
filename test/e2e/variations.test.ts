import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { botMessage, buttonLabels, photoFrom, press, pressUpdate, taskFor, user, type TestUser } from "../support/scenario.js";

/**
 * The buttons under a delivered video and /history, through the real bot and the fake Bot API.
 * MiniMax finishes every task on its own; videos over 1 MB go out as a link.
 */
describe("buttons under the video, and /history", () => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let app: TestApp;
  const BIG = "a video too large to upload";

  beforeAll(async () => {
    ({ telegram: tg, minimax: mm } = await startFakes());
    mm.autoComplete({ afterMs: 30, video: (task) => makeMp4({ payloadBytes: task.prompt?.startsWith(BIG) ? 1_200_000 : 20_000 + Number(task.taskId.slice(-3)) }) });
    app = await startTestApp({
      mode: "polling",
      telegram: tg,
      minimax: mm,
      mongoUri: testDatabaseUri("variations"),
      env: { MINIMAX_RPM: "100", MAX_ACTIVE_PER_USER: "10", TELEGRAM_UPLOAD_LIMIT_MB: "1", FREE_CREDITS: "100" },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await mm?.close();
  });

  /** Sends a photo with `caption` and waits for its video (or link) message. */
  async function videoFor(who: TestUser, caption: string) {
    const sent = photoFrom(tg, who, caption);
    await tg.deliver(sent.update);
    const video = await tg.waitFor(
      () => tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === sent.messageId && (m.video || /https?:\/\//.test(m.text ?? ""))),
      15_000,
      `the video for "${caption}"`,
    );
    // The video reaches the chat a moment before its generation is recorded as delivered.
    await eventually(() => app.db.models.Generation.findOne({ chat_id: who.chatId, user_prompt: caption, phase: "delivered" }), 5_000, `"${caption}" delivered`);
    return { ...sent, video };
  }
  const generations = (filter: Record<string, unknown>) => app.db.models.Generation.find(filter).lean();

  it("English: Again (pressed twice and redelivered) makes one generation from the stored photo, prompt and settings", async () => {
    const en = user(9201, "en");
    const first = await videoFor(en, "the watch shines on black velvet");
    expect(buttonLabels(tg, en.chatId, first.video.message_id)).toEqual([["🔁 Again", "🎲 3 variants"], ["📐 Format", "🧩 Template"], ["🎥 Another camera move"], ["✍️ New description"]]);
    const original = (await generations({ user_id: en.userId }))[0]!;

    const tap = pressUpdate(tg, en, first.video.message_id, "🔁 Again");
    const secondTap = pressUpdate(tg, en, first.video.message_id, "🔁 Again");
    await Promise.all([tg.deliver(tap), tg.deliver(secondTap), tg.deliver(tap)]);
    const again = await eventually(async () => (await generations({ variation_of: original.short_id }))[0], 10_000, "the Again generation");
    await tg.waitFor(() => tg.callbackAnswers.some((a) => a.callback_query_id === secondTap.callback_query!.id));
    await new Promise((r) => setTimeout(r, 500)); // room for a second generation, should one be made
    expect(await generations({ variation_of: original.short_id })).toHaveLength(1);
    expect(again).toMatchObject({
      prompt: original.prompt,
      user_prompt: "the watch shines on black velvet",
      duration: original.duration,
      resolution: original.resolution,
      prompt_optimizer: original.prompt_optimizer,
      image: { file_id: original.image.file_id },
      source_message_id: first.video.message_id,
    });
    const creates = mm.createRequests.filter((r) => r.body.prompt === "the watch shines on black velvet" && r.outcome === "accepted");
    expect(creates).toHaveLength(2);
    expect(creates[1]!.imageSha256).toBe(creates[0]!.imageSha256);
    // The new status message answers the video whose button was pressed; one of the two taps was told it already started.
    expect(tg.callbackAnswers.filter((a) => a.text === "This button has already started a video.")).toHaveLength(1);
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("English: Another camera move combines two moves, sent to MiniMax in its spelling; a double tap on Make the video makes one", async () => {
    const en = user(9202, "en");
    const first = await videoFor(en, "the perfume bottle on a mirror");
    const original = (await generations({ user_id: en.userId }))[0]!;
    await press(tg, en, first.video.message_id, "🎥 Another camera move");
    const picker = await botMessage(tg, en.chatId, /Choose up to 3 camera moves/);
    // A second tap does not open a second picker.
    expect((await press(tg, en, first.video.message_id, "🎥 Another camera move")).text).toMatch(/just below/);
    await press(tg, en, picker.message_id, "Push in");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, picker.message_id).flat().includes("✅ Push in"));
    await press(tg, en, picker.message_id, "Follow");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, picker.message_id).flat().includes("✅ Follow"));

    const go1 = pressUpdate(tg, en, picker.message_id, "🎬 Make the video");
    const go2 = pressUpdate(tg, en, picker.message_id, "🎬 Make the video");
    await Promise.all([tg.deliver(go1), tg.deliver(go2)]);
    const task = await taskFor(mm, "the perfume bottle on a mirror [Push in, Tracking shot]");
    expect(task.imageSha256).toBe(mm.createRequests.find((r) => r.body.prompt === "the perfume bottle on a mirror")!.imageSha256);
    await tg.waitFor(() => tg.callbackAnswers.some((a) => a.callback_query_id === go2.callback_query!.id));
    await new Promise((r) => setTimeout(r, 500));
    const made = await generations({ variation_of: original.short_id });
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ camera_moves: ["Push in", "Tracking shot"], user_prompt: "the perfume bottle on a mirror", image: { file_id: original.image.file_id } });
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("English: New description asks for the new motion and makes a generation of the same photo with it", async () => {
    const en = user(9203, "en");
    const first = await videoFor(en, "the sneaker turns slowly");
    const original = (await generations({ user_id: en.userId }))[0]!;
    await press(tg, en, first.video.message_id, "✍️ New description");
    await botMessage(tg, en.chatId, /Describe the new motion/);
    await tg.deliver(tg.textUpdate({ ...en, text: "the sneaker bounces twice" }));
    const task = await taskFor(mm, "the sneaker bounces twice");
    expect(task.imageSha256).toBe(mm.createRequests.find((r) => r.body.prompt === "the sneaker turns slowly")!.imageSha256);
    const made = await eventually(async () => (await generations({ variation_of: original.short_id }))[0], 5_000, "the new-prompt generation");
    expect(made.image.file_id).toBe(original.image.file_id);
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("Russian: buttons in Russian; /history pages newest first and re-sends by file_id, no upload and no MiniMax task; a link delivery shows its link", async () => {
    const ru = user(9204, "ru");
    const big = await videoFor(ru, `${BIG}: the sofa unfolds`);
    expect(big.video.text).toMatch(/Скачайте его по ссылке/);
    const prompts = ["кружка 1", "кружка 2", "кружка 3", "кружка 4", "кружка 5"];
    let last;
    for (const p of prompts) last = await videoFor(ru, p);
    expect(buttonLabels(tg, ru.chatId, last!.video.message_id)).toEqual([["🔁 Ещё раз", "🎲 3 варианта"], ["📐 Формат", "🧩 Шаблон"], ["🎥 Другое движение камеры"], ["✍️ Новое описание"]]);
    const createsBefore = mm.createRequests.length;
    const uploadsBefore = tg.callsTo("sendVideo").filter((c) => Object.keys(c.files).length > 0).length;

    await tg.deliver(tg.textUpdate({ ...ru, text: "/history" }));
    const list = await botMessage(tg, ru.chatId, /Ваши видео, сначала новые \(страница 1\)/);
    const page1 = buttonLabels(tg, ru.chatId, list.message_id);
    expect(page1.slice(0, 5).map((row) => row[0]!.replace(/^🎬 \d\d\.\d\d · /, ""))).toEqual(["кружка 5", "кружка 4", "кружка 3", "кружка 2", "кружка 1"]);
    expect(page1[5]).toEqual(["Старые ▶️"]);
    await press(tg, ru, list.message_id, "Старые ▶️");
    await tg.waitFor(() => tg.messages(ru.chatId).find((m) => m.message_id === list.message_id)?.text?.includes("страница 2"));
    const page2 = buttonLabels(tg, ru.chatId, list.message_id);
    expect(page2).toHaveLength(2);
    expect(page2[0]![0]).toMatch(/^🔗 \d\d\.\d\d · a video too larg…$/); // 16 characters of the prompt
    expect(page2[1]).toEqual(["◀️ Новые"]);

    // The link-delivered one: its link again.
    await press(tg, ru, list.message_id, /^🔗/);
    const link = await botMessage(tg, ru.chatId, /Видео задачи \w{7} было слишком большим для загрузки/);
    const bigGen = (await generations({ user_id: ru.userId, user_prompt: `${BIG}: the sofa unfolds` }))[0]!;
    expect(link.text).toContain(bigGen.video_url!);

    await press(tg, ru, list.message_id, "◀️ Новые");
    await tg.waitFor(() => tg.messages(ru.chatId).find((m) => m.message_id === list.message_id)?.text?.includes("страница 1"));
    const videosBefore = tg.videosSent(ru.chatId).length;
    await press(tg, ru, list.message_id, /кружка 3$/);
    await tg.waitFor(() => tg.videosSent(ru.chatId).length > videosBefore);
    const resent = tg.videosSent(ru.chatId).at(-1)!;
    const gen3 = (await generations({ user_id: ru.userId, user_prompt: "кружка 3" }))[0]!;
    expect(resent.params.video).toBe(gen3.telegram_video_file_id);
    expect(resent.message.caption).toContain(gen3.short_id);
    expect(tg.callsTo("sendVideo").filter((c) => Object.keys(c.files).length > 0)).toHaveLength(uploadsBefore);
    expect(mm.createRequests).toHaveLength(createsBefore);
    expect(tg.rejectedCalls).toEqual([]);
  });
});
