/**
 * Issue 27, end to end: an album made one video from MiniMax-H3's reference pictures, and ✨ 2K,
 * H3's regeneration of a finished 768P video (contract, section 8). The real bot against the fake
 * Bot API and the fake MiniMax, which refuses what the contract refuses (frames mixed with
 * references, more than 9, a regeneration without base_video or not at 2K, an expired URL).
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp, type Suite } from "../support/suite.js";
import { botMessage, buttonLabels, expectOneVideo, press, pressUpdate, sha256, taskFor, user, type TestUser } from "../support/scenario.js";
import type { CreateRecord, FakeTask } from "../support/fake-minimax.js";
import { makeJpeg } from "../support/images.js";
import { studioCall, TEST_WEBAPP_URL } from "../support/studio.js";

const MODELS = "MiniMax-Hailuo-02,MiniMax-H3,MiniMax-H3-Max";

async function useSettings(s: Suite, who: TestUser, settings: Record<string, unknown>) {
  await s.app.db.models.User.updateOne({ _id: who.userId }, { $set: { settings: { model: "MiniMax-H3", duration: 5, resolution: "768P", ...settings } } }, { upsert: true });
}
const ledgerOf = async (s: Suite, who: TestUser) => (await s.app.db.models.Ledger.find({ user_id: who.userId }).sort({ seq: 1 }).lean()).map((e) => [e.kind, e.credits]);
const messageOf = (s: Suite, who: TestUser, id: number) => s.tg.messages(who.chatId).find((m) => m.message_id === id)!;

/** An album of `count` different photos (the caption on the first), delivered in reverse order. */
async function sendAlbum(s: Suite, who: TestUser, mediaGroupId: string, count: number, caption?: string) {
  const photos = Array.from({ length: count }, (_, i) => makeJpeg(1280 + 16 * i, 720));
  const updates = photos.map((bytes, i) =>
    s.tg.photoUpdate({ ...who, mediaGroupId, ...(i === 0 && caption ? { caption } : {}), photo: s.tg.addPhoto(bytes, 1280 + 16 * i, 720) }),
  );
  for (const update of [...updates].reverse()) await s.tg.deliver(update);
  return { photos, messageIds: updates.map((u) => u.message!.message_id), fileIds: updates.map((u) => u.message!.photo!.at(-1)!.file_id) };
}

/** `who` sends a photo captioned `prompt`; MiniMax makes `video` (768P with the settings above) and it arrives. */
async function delivered768(s: Suite, who: TestUser, prompt: string, video: Buffer) {
  await s.tg.deliver(s.tg.photoUpdate({ ...who, caption: prompt, photo: s.tg.addPhoto(makeJpeg(1280, 720), 1280, 720) }));
  const task = await taskFor(s.mm, prompt);
  await s.mm.succeed(task.taskId, video);
  await expectOneVideo(s.tg, who.chatId, video);
  return { task, message: s.tg.videosSent(who.chatId)[0]! };
}

/** The v2 creates of video generations whose text is `text`. */
const generationsFor = (s: Suite, text: string) =>
  s.mm.createRequests.filter((r) => r.endpoint === "video_generation" && (r.body.content as Array<{ text?: string }>)[0]?.text === text);
const regenerations = (s: Suite) => s.mm.createRequests.filter((r) => r.endpoint === "video_regeneration");
const referenceShas = (create: CreateRecord) => (create.frames ?? []).map((f) => [f.role, f.sha256]);

describe("MiniMax-H3: an album as one video, and ✨ 2K", () => {
  const s = useTestApp("h3refs", {
    mode: "webhook",
    env: { MINIMAX_MODELS: MODELS, FREE_CREDITS: "100", MAX_ACTIVE_PER_USER: "10", WEBAPP_URL: TEST_WEBAPP_URL },
  });

  it("📚 chosen in /settings with its price; an album of four becomes one job: four reference_image items in album order, unpadded, the chosen ratio, one status message, one video replying to the first photo, one charge; 🔁 Again reuses all four", { timeout: 60_000 }, async () => {
    const en = user(9701, "en");
    await useSettings(s, en, { format: "9:16" });
    await s.tg.deliver(s.tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(s.tg, en.chatId, /⚙️ Settings/);
    // The price of the choice is in the menu's text before anything is chosen (6 to 9 photos: MiniMax charges for the 6th on).
    expect(menu.text).toContain("📚 One video from all the photos of an album: 2 to 5 photos 1 credit, 6 to 9 photos 2 credits.");
    expect(buttonLabels(s.tg, en.chatId, menu.message_id).at(-1)).toEqual(["📚 Albums: a video per photo"]);
    await press(s.tg, en, menu.message_id, "📚 Albums: a video per photo");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id).at(-1)?.[0] === "📚 Albums: one video from all");
    expect((await s.app.db.models.User.findById(en.userId).lean())!.settings!.albums).toBe("one");

    const caption = "the perfume bottle turns to show its label";
    const album = await sendAlbum(s, en, "2700000000000001", 4, caption);
    const task = await taskFor(s.mm, caption, 15_000);
    const creates = generationsFor(s, caption);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toEqual({
      model: "MiniMax-H3",
      content: [{ type: "text", text: caption }, ...Array(4).fill({ type: "image_url", image_url: "<image>", role: "reference_image" })],
      resolution: "768P",
      duration: 5,
      ratio: "9:16",
      callback_url: expect.any(String),
    });
    // Album order, whatever order the parts came in, and the photos as sent: no padding to 9:16.
    expect(referenceShas(creates[0]!)).toEqual(album.photos.map((p) => ["reference_image", sha256(p)]));
    expect(task.ratio).toBe("9:16");

    const statuses = s.tg.messages(en.chatId).filter((m) => /Price:/.test(m.text ?? ""));
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.reply_to_message?.message_id).toBe(album.messageIds[0]);
    expect(statuses[0]!.text).toContain("📚 One video from 4 photos.");
    expect(statuses[0]!.text).toContain("Price: 1 credit");

    const video = makeMp4({ payloadBytes: 60_000 });
    await s.mm.succeed(task.taskId, video);
    await expectOneVideo(s.tg, en.chatId, video);
    const [sent] = s.tg.videosSent(en.chatId);
    expect((sent!.params.reply_parameters as { message_id: number }).message_id).toBe(album.messageIds[0]);
    expect((await ledgerOf(s, en)).slice(1)).toEqual([["reserve", -1], ["capture", 0]]);
    const gen = (await s.app.db.models.Generation.findOne({ user_prompt: caption }).lean())!;
    // Telegram keeps the photos: only their file ids are stored.
    expect(gen.references!.map((r) => r.file_id)).toEqual(album.fileIds);

    // 🔁 Again: the same four photos, in the same order, as references again.
    await press(s.tg, en, sent!.messageId, "🔁 Again");
    await eventually(() => generationsFor(s, caption).length === 2, 15_000, "the second create");
    expect(referenceShas(generationsFor(s, caption)[1]!)).toEqual(album.photos.map((p) => ["reference_image", sha256(p)]));
    expect(generationsFor(s, caption)[1]!.body.ratio).toBe("9:16");
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("ten photos without a caption: asked for a description, then nine used and the tenth named as left out; ✖️ Cancel while MiniMax queues it sends DELETE and gives the credits back", { timeout: 60_000 }, async () => {
    const ru = user(9702, "ru");
    await useSettings(s, ru, { albums: "one" });
    const album = await sendAlbum(s, ru, "2700000000000002", 10);
    await botMessage(s.tg, ru.chatId, /Альбом из 10 фотографий получен\. Я сделаю из них одно видео/, 15_000);
    expect(s.mm.createRequests.filter((r) => r.api === "v2" && r.taskId && s.mm.tasks.get(r.taskId)?.prompt === "флакон на полке")).toEqual([]);
    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "флакон на полке" }));
    const task = await taskFor(s.mm, "флакон на полке", 15_000);
    const [create] = generationsFor(s, "флакон на полке");
    expect(referenceShas(create!)).toEqual(album.photos.slice(0, 9).map((p) => ["reference_image", sha256(p)]));
    expect(create!.body.ratio).toBe("adaptive"); // "Original"
    const status = await botMessage(s.tg, ru.chatId, /Цена:/);
    expect(status.text).toContain("📚 Одно видео из 9 фотографий.");
    expect(status.text).toContain("✂️ Фото № 10 не вошло в видео: MiniMax берёт для одного видео не больше 9 фото. Кредиты за него не списаны.");
    // Nine pictures: four past MiniMax's free five, so one credit more than a 5 s video.
    expect((await ledgerOf(s, ru)).slice(1)).toEqual([["reserve", -2]]);

    await s.tg.waitFor(() => /у MiniMax/.test(messageOf(s, ru, status.message_id).text ?? ""), 15_000, "the status message edited");
    await press(s.tg, ru, status.message_id, "✖️ Отменить");
    expect(s.mm.deletes.map((d) => [d.taskId, d.status])).toContainEqual([task.taskId, 200]);
    await eventually(async () => (await ledgerOf(s, ru)).length === 3, 10_000, "the credits back");
    expect((await ledgerOf(s, ru)).slice(1)).toEqual([["reserve", -2], ["release", 2]]);
  });

  it("✨ 2K under a 768P H3 video names its price; a double tap makes one regeneration with base_video a fresh URL of the 768P task, charged as 2K, delivered as a reply to the 768P video", { timeout: 60_000 }, async () => {
    const en = user(9703, "en");
    await useSettings(s, en, {});
    const prompt = "the sneaker spins on a white podium";
    const video768 = makeMp4({ payloadBytes: 50_000 });
    const { task, message: first } = await delivered768(s, en, prompt, video768);
    // 5 s at 2K: ceil(5 × $0.13 ÷ $0.48) = 2 credits.
    expect(buttonLabels(s.tg, en.chatId, first!.messageId)).toContainEqual(["✨ 2K · 2 credits"]);

    // Every URL MiniMax gave so far is dead: only a query made for the regeneration gives a good one.
    s.mm.expireDownloadUrls();
    const taps: Update[] = [pressUpdate(s.tg, en, first!.messageId, "✨ 2K · 2 credits"), pressUpdate(s.tg, en, first!.messageId, "✨ 2K · 2 credits")];
    await Promise.all(taps.map((u) => s.tg.deliver(u)));
    const answers = await eventually(() => {
      const got = taps.map((u) => s.tg.callbackAnswers.find((a) => a.callback_query_id === u.callback_query!.id)?.text);
      return got.every(Boolean) ? got : undefined;
    }, 10_000, "both taps answered");
    expect(answers.sort()).toEqual(["This button has already started the 2K video.", "✨ The 2K video is on its way."]);

    const regen = await eventually(() => [...s.mm.tasks.values()].find((t: FakeTask) => t.taskType === "regeneration"), 15_000, "the regeneration task");
    await new Promise((r) => setTimeout(r, 500));
    expect(regenerations(s)).toHaveLength(1);
    const [create] = regenerations(s);
    expect(create).toMatchObject({ outcome: "accepted" });
    expect(create!.body).toEqual({
      model: "MiniMax-H3",
      content: [{ type: "text", text: prompt }, { type: "video_url", video_url: "<video>", role: "base_video" }],
      resolution: "2K",
      callback_url: expect.any(String),
    });
    // The 768P task's own video, by a URL the fake signed after the old ones expired.
    expect(create!.baseVideo).toMatchObject({ taskId: task.taskId, sha256: sha256(video768) });
    expect(regen).toMatchObject({ resolution: "2K", duration: 5, baseTaskId: task.taskId });
    const status = await botMessage(s.tg, en.chatId, /✨ 2K: video/);
    expect(status.reply_to_message?.message_id).toBe(first!.messageId);
    expect(status.text).toContain("Price: 2 credits");

    const video2k = makeMp4({ payloadBytes: 90_000 });
    await s.mm.succeed(regen.taskId, video2k);
    await eventually(() => s.tg.videosSent(en.chatId).length === 2, 10_000, "the 2K video");
    await new Promise((r) => setTimeout(r, 500));
    const sent = s.tg.videosSent(en.chatId);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.sha256).toBe(sha256(video2k));
    expect((sent[1]!.params.reply_parameters as { message_id: number }).message_id).toBe(first!.messageId);
    const gen768 = (await s.app.db.models.Generation.findOne({ minimax_job_id: task.taskId }).lean())!;
    expect(sent[1]!.message.caption).toContain(`✨ Your 2K video is ready`);
    expect(sent[1]!.message.caption).toContain(`from video ${gen768.short_id}`);
    // No ✨ 2K under a 2K video.
    expect(buttonLabels(s.tg, en.chatId, sent[1]!.messageId).flat().some((l) => l.startsWith("✨"))).toBe(false);
    expect((await ledgerOf(s, en)).slice(1)).toEqual([["reserve", -1], ["capture", 0], ["reserve", -2], ["capture", 0]]);
  });

  it("a 768P task older than MiniMax keeps: the base video goes as its bytes from Telegram; too large for that, ✨ 2K answers so and charges nothing", { timeout: 60_000 }, async () => {
    const en = user(9704, "en");
    await useSettings(s, en, {});
    const video768 = makeMp4({ payloadBytes: 40_000 });
    const { task, message: first } = await delivered768(s, en, "the watch face catches the light", video768);
    // Eight days on: MiniMax knows the task no more (its query answers "not found"), Telegram still has the video.
    const eightDays = 8 * 86_400_000;
    s.mm.ageTask(task.taskId, 8);
    const gen = (await s.app.db.models.Generation.findOne({ minimax_job_id: task.taskId }).lean())!;
    await s.app.db.models.Generation.updateOne({ _id: gen._id }, { $set: { submitted_at: new Date(gen.submitted_at!.getTime() - eightDays) } });

    await press(s.tg, en, first!.messageId, "✨ 2K · 2 credits");
    await eventually(() => regenerations(s).some((r) => r.baseVideo?.url.startsWith("data:")), 15_000, "the regeneration from bytes");
    const create = regenerations(s).find((r) => r.baseVideo?.url.startsWith("data:"))!;
    expect(create.outcome).toBe("accepted");
    expect(create.baseVideo!.sha256).toBe(sha256(video768));

    // A second old video, bigger than the bot can download and send back: a clear answer, nothing reserved.
    const big = user(9705, "en");
    await useSettings(s, big, {});
    const { task: bigTask, message: bigMessage } = await delivered768(s, big, "the bag swings", makeMp4({ payloadBytes: 30_000 }));
    const bigGen = (await s.app.db.models.Generation.findOne({ minimax_job_id: bigTask.taskId }).lean())!;
    await s.app.db.models.Generation.updateOne({ _id: bigGen._id }, { $set: { submitted_at: new Date(Date.now() - eightDays), video_bytes: 25 * 1024 * 1024 } });
    const before = regenerations(s).length;
    const answer = await press(s.tg, big, bigMessage.messageId, "✨ 2K · 2 credits");
    expect(answer.text).toBe("No 2K this time: MiniMax no longer keeps this video, and it is too large for me to send back to it. Nothing was charged.");
    expect(regenerations(s)).toHaveLength(before);
    expect((await ledgerOf(s, big)).slice(1)).toEqual([["reserve", -1], ["capture", 0]]);
  });

  it("the studio: 📚 Albums among the settings with its price (refused for a model without references), and ✨ 2K with its price; the chat's ✨ 2K and the studio's at once make one job", { timeout: 60_000 }, async () => {
    const en = user(9706, "en");
    const asEn = { id: en.userId, first_name: "Eve", language_code: "en" };
    await useSettings(s, en, {});
    const settings = await studioCall<{ settings: { albums: string }; options: { albums: Array<{ value: string; label: string }>; albumsPrice: string } }>(s.app.url, "settings", { who: asEn });
    expect(settings.body.options.albums).toEqual([
      { value: "each", label: "A video per photo" },
      { value: "one", label: "One video from all" },
    ]);
    expect(settings.body.options.albumsPrice).toBe("📚 One video from all the photos of an album: 2 to 5 photos 1 credit, 6 to 9 photos 2 credits.");
    const chosen = await studioCall<{ settings: { albums: string } }>(s.app.url, "settings", { who: asEn, method: "PUT", body: { albums: "one" } });
    expect(chosen.body.settings.albums).toBe("one");
    const hailuo = await studioCall(s.app.url, "settings", { who: asEn, method: "PUT", body: { model: "MiniMax-Hailuo-02", albums: "one" } });
    expect(hailuo.status).toBe(400);
    expect((await s.app.db.models.User.findById(en.userId).lean())!.settings!.model).toBe("MiniMax-H3");

    const { task } = await delivered768(s, en, "the headphones fold and unfold", makeMp4({ payloadBytes: 30_000 }));
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ minimax_job_id: task.taskId, video_message_id: { $exists: true } }).lean(), 10_000, "the video's message recorded");
    const item = await studioCall<{ twoK: string | null }>(s.app.url, `videos/${gen.short_id}`, { who: asEn });
    expect(item.body.twoK).toBe("✨ 2K · 2 credits");

    const before = regenerations(s).length;
    const [, studio] = await Promise.all([
      press(s.tg, en, gen.video_message_id!, "✨ 2K · 2 credits"),
      studioCall<{ kind: string }>(s.app.url, `videos/${gen.short_id}/2k`, { who: asEn, method: "POST" }),
    ]);
    expect(["created", "duplicate"]).toContain(studio.body.kind);
    await eventually(() => regenerations(s).length > before, 15_000, "the regeneration");
    await new Promise((r) => setTimeout(r, 500));
    expect(regenerations(s).length - before).toBe(1);
    expect(await s.app.db.models.Generation.countDocuments({ regenerated_from: gen.short_id })).toBe(1);
    expect((await ledgerOf(s, en)).slice(1)).toEqual([["reserve", -1], ["capture", 0], ["reserve", -2]]);
  });
});
