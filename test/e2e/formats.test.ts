import { describe, expect, it } from "vitest";
import type { Message } from "grammy/types";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, buttonLabels, photoFrom, press, pressUpdate, user, type TestUser } from "../support/scenario.js";
import { CORNER_COLOURS, makeCornerPhoto, readFittedCorners, sameColour } from "../support/images.js";

/**
 * Formats, the model choice and covers, through the real bot, the fake Bot API and the fake
 * MiniMax: what MiniMax receives is decoded and looked at pixel by pixel.
 */
describe("formats, models and covers", () => {
  // Hailuo 2.3 Fast is cheaper at 6 s 768P; everything else costs 2 or 3.
  const PRICES = "6s-512P:2,6s-768P:2,6s-1080P:3,10s-512P:3,10s-768P:3,MiniMax-Hailuo-2.3-Fast:6s-768P=1";
  const s = useTestApp("formats", { mode: "polling", env: { MINIMAX_RPM: "100", FREE_CREDITS: "100", MAX_ACTIVE_PER_USER: "10", PRICES } });

  const messageOf = (who: TestUser, id: number) => s.tg.messages(who.chatId).find((m) => m.message_id === id)!;

  /** /settings, then 📐, then the format labelled `label`; waits until it is ticked. */
  async function chooseFormat(who: TestUser, label: string) {
    await s.tg.deliver(s.tg.textUpdate({ ...who, text: "/settings" }));
    const menu = await eventually(() => s.tg.messages(who.chatId).filter((m) => /⚙️/.test(m.text ?? "")).at(-1), 10_000, "the settings");
    await press(s.tg, who, menu.message_id, /^📐/);
    await s.tg.waitFor(() => /Format|Формат/.test(messageOf(who, menu.message_id).text ?? ""));
    await press(s.tg, who, menu.message_id, label);
    await s.tg.waitFor(() => buttonLabels(s.tg, who.chatId, menu.message_id).flat().includes(`✅ ${label}`));
    return menu;
  }

  /** A real photo with coloured corners, sent with `caption`; returns what MiniMax received for it. */
  async function sendCornerPhoto(who: TestUser, caption: string, size: { width: number; height: number }) {
    const bytes = await makeCornerPhoto(size.width, size.height);
    const photo = s.tg.addPhoto(bytes, size.width, size.height);
    const update = s.tg.photoUpdate({ ...who, photo, caption });
    await s.tg.deliver(update);
    const create = await eventually(() => s.mm.createRequests.find((r) => r.body.prompt === caption && r.outcome === "accepted"), 10_000, `the create for "${caption}"`);
    return { create, bytes, photo, messageId: update.message!.message_id };
  }

  /** MiniMax's first frame has the shape (±1%) and shows all four corners of the photo, scaled not cropped. */
  async function expectWholePhotoIn(image: Buffer | null, photo: { width: number; height: number }, ratio: number) {
    expect(image).not.toBeNull();
    const seen = await readFittedCorners(image!, photo);
    expect(Math.abs(seen.width / seen.height / ratio - 1)).toBeLessThanOrEqual(0.01);
    seen.corners.forEach((colour, i) => expect(sameColour(colour, CORNER_COLOURS[i]!), `corner ${i} is ${colour}`).toBe(true));
    return seen;
  }

  const videoReplyTo = (who: TestUser, messageId: number) =>
    s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === messageId && m.video), 15_000, "the video");

  it("a square photo with 9:16 chosen reaches MiniMax as exactly 9:16 with every corner in it; the video carries its cover, shape and names", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 30_000 }) });
    const en = user(9701, "en");
    await chooseFormat(en, "9:16 · Reels/TikTok/Shorts");
    expect((await s.app.db.models.User.findById(en.userId).lean())?.settings?.format).toBe("9:16");

    const sent = await sendCornerPhoto(en, "the perfume turns on a glass shelf", { width: 1000, height: 1000 });
    expect(sent.create.imageMime).toBe("image/jpeg");
    await expectWholePhotoIn(sent.create.imageBytes, { width: 1000, height: 1000 }, 9 / 16);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the perfume turns on a glass shelf" }).lean(), 5_000, "the generation");
    expect(gen).toMatchObject({ format: "9:16", model: "MiniMax-Hailuo-02" });

    const video = await videoReplyTo(en, sent.messageId);
    const upload = s.tg.videosSent(en.chatId).find((f) => f.messageId === video.message_id)!;
    const task = s.mm.tasks.get(sent.create.taskId!)!;
    // MiniMax made a 9:16 video; Telegram is told its real size and length, and shows the seller's photo as its cover.
    expect(task.height! / task.width!).toBeCloseTo(16 / 9, 1);
    expect(upload.params).toMatchObject({ width: task.width, height: task.height, duration: 6, supports_streaming: true, cover: sent.photo.at(-1)!.file_id });
    expect(video.video?.cover?.at(-1)?.file_id).toBe(sent.photo.at(-1)!.file_id);
    expect(video.caption).toContain("📐 9:16 · Reels/TikTok/Shorts · 🤖 Hailuo 02");
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("the same for 3:4 and 16:9 from a square photo, and a 3:4 photo made 16:9", async () => {
    const cases = [
      { who: user(9702, "en"), label: "3:4 · Wildberries/Ozon", photo: { width: 900, height: 900 }, ratio: 3 / 4 },
      { who: user(9703, "en"), label: "16:9 · Amazon/YouTube", photo: { width: 800, height: 800 }, ratio: 16 / 9 },
      { who: user(9704, "en"), label: "16:9 · Amazon/YouTube", photo: { width: 750, height: 1000 }, ratio: 16 / 9 },
    ];
    for (const [i, c] of cases.entries()) {
      await chooseFormat(c.who, c.label);
      const sent = await sendCornerPhoto(c.who, `the bag case ${i}`, c.photo);
      await expectWholePhotoIn(sent.create.imageBytes, c.photo, c.ratio);
    }
    // Original sends the photo as it came, byte for byte.
    const plain = user(9705, "en");
    const sent = await sendCornerPhoto(plain, "the bag as it is", { width: 900, height: 1200 });
    expect(sent.create.imageBytes!.equals(sent.bytes)).toBe(true);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("a photo that cannot be decoded for fitting never reaches MiniMax: the job fails and its credits come back", async () => {
    const en = user(9709, "en");
    await chooseFormat(en, "1:1 · feeds");
    // Readable headers (1280×720, so it passes the intake checks) over random scan data.
    await s.tg.deliver(photoFrom(s.tg, en, "the unreadable kettle").update);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the unreadable kettle", phase: "failed" }).lean(), 10_000, "the failed job");
    expect(gen.error_code).toBe("invalid");
    // The user is told (failed-invalid), naming the job.
    await botMessage(s.tg, en.chatId, new RegExp(`❌[^\n]*${gen.short_id}`));
    expect(s.mm.createRequests.some((r) => r.body.prompt === "the unreadable kettle")).toBe(false);
    const ledger = await s.app.db.models.Ledger.find({ user_id: en.userId }).sort({ seq: 1 }).lean();
    expect(ledger.map((e) => [e.kind, e.credits])).toEqual([["welcome", 100], ["reserve", -2], ["release", 2]]);
  });

  it("📐 Format under a video makes one new generation in the picked format; a double press makes one", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 31_000 }) });
    const en = user(9706, "en");
    const first = await sendCornerPhoto(en, "the lamp glows warm", { width: 1000, height: 1000 });
    const video = await videoReplyTo(en, first.messageId);
    expect(video.caption).toContain("📐 Original · 🤖 Hailuo 02");
    const original = (await s.app.db.models.Generation.findOne({ user_prompt: "the lamp glows warm" }).lean())!;

    await press(s.tg, en, video.message_id, "📐 Format");
    const picker = await botMessage(s.tg, en.chatId, /In which shape/);
    // The video's own format is not offered again.
    expect(buttonLabels(s.tg, en.chatId, picker.message_id)).toEqual([
      ["3:4 · Wildberries/Ozon"],
      ["9:16 · Reels/TikTok/Shorts"],
      ["1:1 · feeds"],
      ["16:9 · Amazon/YouTube"],
    ]);
    expect((await press(s.tg, en, video.message_id, "📐 Format")).text).toMatch(/just below/);

    const tap1 = pressUpdate(s.tg, en, picker.message_id, "9:16 · Reels/TikTok/Shorts");
    const tap2 = pressUpdate(s.tg, en, picker.message_id, "9:16 · Reels/TikTok/Shorts");
    await Promise.all([s.tg.deliver(tap1), s.tg.deliver(tap2)]);
    await s.tg.waitFor(() => [tap1, tap2].every((t) => s.tg.callbackAnswers.some((a) => a.callback_query_id === t.callback_query!.id)));
    const made = await eventually(async () => (await s.app.db.models.Generation.find({ variation_of: original.short_id }).lean())[0], 10_000, "the new generation");
    await new Promise((r) => setTimeout(r, 500)); // room for a second one, should it be made
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: original.short_id })).toBe(1);
    expect(made).toMatchObject({ format: "9:16", model: original.model, duration: original.duration, resolution: original.resolution, user_prompt: "the lamp glows warm", image: { file_id: original.image.file_id } });
    const creates = s.mm.createRequests.filter((r) => r.body.prompt === "the lamp glows warm" && r.outcome === "accepted");
    expect(creates).toHaveLength(2);
    await expectWholePhotoIn(creates[1]!.imageBytes, { width: 1000, height: 1000 }, 9 / 16);
    // At the usual price, told in the new status message.
    await botMessage(s.tg, en.chatId, new RegExp(`${made.short_id}[\\s\\S]*Price: 2 credits`));
    await s.tg.waitFor(() => /9:16 · Reels\/TikTok\/Shorts: the new video is on its way/.test(messageOf(en, picker.message_id).text ?? ""));
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("a model picked in /settings, shown with its description and price, is named in the next submission and its price charged", async () => {
    const en = user(9707, "en");
    await s.tg.deliver(s.tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(s.tg, en.chatId, /⚙️ Settings/);
    await press(s.tg, en, menu.message_id, "🤖 Model: Hailuo 02");
    await s.tg.waitFor(() => /🤖 Model for your next videos/.test(messageOf(en, menu.message_id).text ?? ""));
    const list = messageOf(en, menu.message_id).text!;
    expect(list).toContain("✅ Hailuo 02: realistic motion and physics, up to 1080P. 6 s at 768P: 2 credits.");
    expect(list).toContain("• Hailuo 2.3: livelier people and motion, up to 1080P. 6 s at 768P: 2 credits.");
    expect(list).toContain("• Hailuo 2.3 Fast: Hailuo 2.3, made faster, up to 1080P. 6 s at 768P: 1 credit.");
    expect(buttonLabels(s.tg, en.chatId, menu.message_id)).toEqual([["✅ Hailuo 02"], ["Hailuo 2.3"], ["Hailuo 2.3 Fast"], ["⬅️ Back"]]);

    await press(s.tg, en, menu.message_id, "Hailuo 2.3 Fast");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[2]?.[0] === "✅ Hailuo 2.3 Fast");
    expect(messageOf(en, menu.message_id).text).toContain("✅ Hailuo 2.3 Fast:");
    await press(s.tg, en, menu.message_id, "⬅️ Back");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[0]?.[0] === "🤖 Model: Hailuo 2.3 Fast");
    // Its length and quality choices are its own: 512P is Hailuo 02's.
    expect(buttonLabels(s.tg, en.chatId, menu.message_id)[2]).toEqual(["✅ 768P", "1080P"]);
    expect(messageOf(en, menu.message_id).text).toMatch(/⚙️ Settings[\s\S]*A video with these settings costs 1 credit\./);

    const sent = await sendCornerPhoto(en, "the sneaker on a podium, fast", { width: 1280, height: 720 });
    expect(sent.create.body).toMatchObject({ model: "MiniMax-Hailuo-2.3-Fast", duration: 6, resolution: "768P" });
    const accepted = await botMessage(s.tg, en.chatId, /Price: 1 credit,/);
    expect(accepted.text).toContain("Balance left: 99 credits");
    expect(await s.app.db.models.Generation.findOne({ user_prompt: "the sneaker on a podium, fast" }).lean()).toMatchObject({ model: "MiniMax-Hailuo-2.3-Fast", price: 1 });
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("Russian: formats and models in Russian; an image sent as a file has no cover (its file_id is not a photo's)", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 32_000 }) });
    const ru = user(9708, "ru");
    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "/settings" }));
    const menu = await botMessage(s.tg, ru.chatId, /Настройки/);
    await press(s.tg, ru, menu.message_id, "🤖 Модель: Hailuo 02");
    await s.tg.waitFor(() => /🤖 Модель следующих видео/.test(messageOf(ru, menu.message_id).text ?? ""));
    expect(messageOf(ru, menu.message_id).text).toContain("• Hailuo 2.3 Fast: та же Hailuo 2.3, но быстрее, до 1080P. 6 с, 768P: 1 кредит.");
    await press(s.tg, ru, menu.message_id, "⬅️ Назад");
    await s.tg.waitFor(() => buttonLabels(s.tg, ru.chatId, menu.message_id)[0]?.[0] === "🤖 Модель: Hailuo 02");
    await press(s.tg, ru, menu.message_id, "📐 Как на фото");
    await s.tg.waitFor(() => buttonLabels(s.tg, ru.chatId, menu.message_id)[0]?.[0] === "✅ Как на фото");
    expect(buttonLabels(s.tg, ru.chatId, menu.message_id)).toEqual([
      ["✅ Как на фото"],
      ["3:4 · Wildberries/Ozon"],
      ["9:16 · Reels/TikTok/Shorts"],
      ["1:1 · посты в соцсетях"],
      ["16:9 · Amazon/YouTube"],
      ["⬅️ Назад"],
    ]);
    await press(s.tg, ru, menu.message_id, "1:1 · посты в соцсетях");
    await s.tg.waitFor(() => buttonLabels(s.tg, ru.chatId, menu.message_id)[3]?.[0] === "✅ 1:1 · посты в соцсетях");

    const bytes = await makeCornerPhoto(1200, 800);
    const update = s.tg.documentUpdate({ ...ru, document: s.tg.addDocument(bytes, { fileName: "sumka.jpg" }), caption: "сумка на белом фоне" });
    await s.tg.deliver(update);
    const create = await eventually(() => s.mm.createRequests.find((r) => r.body.prompt === "сумка на белом фоне" && r.outcome === "accepted"), 10_000, "the create");
    await expectWholePhotoIn(create.imageBytes, { width: 1200, height: 800 }, 1);
    const video: Message = await videoReplyTo(ru, update.message!.message_id);
    const upload = s.tg.videosSent(ru.chatId).find((f) => f.messageId === video.message_id)!;
    expect(upload.params.cover).toBeUndefined();
    expect(upload.params.supports_streaming).toBe(true);
    expect(video.caption).toContain("📐 1:1 · посты в соцсетях · 🤖 Hailuo 02");
    expect(buttonLabels(s.tg, ru.chatId, video.message_id)).toEqual([["🔁 Ещё раз", "🎲 3 варианта"], ["📐 Формат", "🧩 Шаблон"], ["🎥 Другое движение камеры"], ["✍️ Новое описание"]]);
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});
