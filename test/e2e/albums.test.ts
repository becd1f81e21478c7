/**
 * Albums, transitions and variant packs (issue 18) through the real app, the fake Bot API and the
 * fake MiniMax: an album's parts arrive as separate updates (in any order, again, on any instance)
 * and are decided once; two photos make one transition, more make a video each; a pack's three
 * videos arrive as one album.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import { eventually, type TestApp } from "../support/app.js";
import { useTestApp, useTwoTestApps } from "../support/suite.js";
import { buttonLabels, postUpdate, press, pressUpdate, sha256, user, type TestUser } from "../support/scenario.js";
import { CORNER_COLOURS, makeCornerPhoto, makeJpeg, makePng, readFittedCorners, sameColour } from "../support/images.js";
import { createAccounts } from "../../src/credits/accounts.js";

interface AlbumPhoto {
  bytes: Buffer;
  width: number;
  height: number;
  /** Sent as a file (an image document) rather than as a photo. */
  asFile?: boolean;
}
const jpeg = (width = 1280, height = 720): AlbumPhoto => ({ bytes: makeJpeg(width, height), width, height });
let groups = 0;

/** An album's updates in album order (ascending message ids), one photo (or image file) each, the caption on part `caption.at`. */
function albumOf(tg: FakeTelegram, who: TestUser, photos: AlbumPhoto[], caption?: { at: number; text: string }): Update[] {
  const mediaGroupId = `1357911131517${String(++groups).padStart(4, "0")}`;
  return photos.map((p, i) => {
    const common = { ...who, mediaGroupId, ...(caption?.at === i ? { caption: caption.text } : {}) };
    return p.asFile
      ? tg.documentUpdate({ ...common, document: tg.addDocument(p.bytes, { fileName: `photo-${i}.png`, mimeType: "image/png" }) })
      : tg.photoUpdate({ ...common, photo: tg.addPhoto(p.bytes, p.width, p.height) });
  });
}
const idOf = (u: Update) => u.message!.message_id;
const ledgerOf = (app: TestApp, userId: number) => app.db.models.Ledger.find({ user_id: userId }).sort({ seq: 1 }).lean();
const settle = (ms = 1_000) => new Promise((r) => setTimeout(r, ms));

/** The photo's video: the bot's video message that answers `photoMessageId`. */
const videoFor = (tg: FakeTelegram, who: TestUser, photoMessageId: number) =>
  tg.waitFor(() => tg.messages(who.chatId).find((m) => m.video && m.reply_to_message?.message_id === photoMessageId), 20_000, `the video for message ${photoMessageId}`);

describe("a two-photo album across two instances (webhook mode)", () => {
  const pair = useTwoTestApps("albums-two", { mode: "webhook", env: { MINIMAX_RPM: "20", FREE_CREDITS: "10", MAX_ACTIVE_PER_USER: "10" } });

  it("its parts in reverse order to two instances, one redelivered: one transition from the first photo to the second (fitted to its shape), at 768P on Hailuo 02, one video", async () => {
    const { tg, mm, a, b } = pair;
    const en = user(9801, "en");
    // The user asked for 512P, which the contract does not promise with a last frame.
    await a.db.models.User.create({ _id: en.userId, settings: { resolution: "512P" } });
    const first = { bytes: await makeCornerPhoto(1280, 720), width: 1280, height: 720 };
    const second = { bytes: await makeCornerPhoto(720, 960), width: 720, height: 960 };
    const caption = "the box opens and the sneaker rises out of it";
    const [one, two] = albumOf(tg, en, [first, second], { at: 1, text: caption }) as [Update, Update];

    expect(await postUpdate(b, two)).toBe(200);
    expect(await postUpdate(a, one)).toBe(200);
    expect(await postUpdate(a, two)).toBe(200); // Telegram delivers the second part again, to the other instance

    const create = await eventually(() => mm.createRequests.find((r) => r.body.prompt === caption), 15_000, "the transition's create");
    expect(create.outcome).toBe("accepted");
    expect(create.body).toMatchObject({ model: "MiniMax-Hailuo-02", duration: 6, resolution: "768P" });
    // Original format: the first photo goes as it came; the second is fitted, whole, to the first one's shape.
    expect(create.imageSha256).toBe(sha256(first.bytes));
    const lastFrame = create.frames?.find((f) => f.role === "last_frame");
    expect(lastFrame?.bytes).toBeTruthy();
    const last = await readFittedCorners(lastFrame!.bytes!, second);
    expect(Math.abs(last.width / last.height / (1280 / 720) - 1)).toBeLessThanOrEqual(0.01);
    last.corners.forEach((colour, i) => expect(sameColour(colour, CORNER_COLOURS[i]!), `corner ${i} is ${colour}`).toBe(true));

    const status = await tg.waitFor(() => tg.messages(en.chatId).find((m) => m.text && m.reply_to_message?.message_id === idOf(one)), 10_000, "the status message");
    expect(status.text).toMatch(/^🔀 Transition: the video starts at your first photo and ends at the second\.\n✅ Got it! Job \w{7}/);
    expect(status.text).toContain("Price: 1 credit");

    const task = [...mm.tasks.values()].find((t) => t.prompt === caption)!;
    const video = makeMp4({ payloadBytes: 40_000 });
    await mm.succeed(task.taskId, video);
    const message = await videoFor(tg, en, idOf(one));
    expect(message.caption).toMatch(/^🎬 Your transition video is ready/);
    await settle(1_500); // several sweeps and polls on both instances: nothing more may come
    expect(mm.createRequests.filter((r) => r.body.prompt === caption)).toHaveLength(1);
    expect(tg.videosSent(en.chatId)).toHaveLength(1);
    expect(tg.videosSent(en.chatId)[0]!.sha256).toBe(sha256(video));
    expect(tg.messages(en.chatId).filter((m) => m.text && m.reply_to_message)).toHaveLength(1); // the one status message, no other answer
    expect((await ledgerOf(a, en.userId)).map((e) => [e.kind, e.credits])).toEqual([["welcome", 10], ["reserve", -1], ["capture", 0]]);
    expect(await a.db.models.Group.countDocuments({ kind: "album" })).toBe(1);
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("a decision whose instance died before acting on it is carried out a lease later by another, once", async () => {
    const { tg, mm, a } = pair;
    const en = user(9802, "en");
    const caption = "the lamp switches on";
    const parts = albumOf(tg, en, [jpeg(), jpeg(), jpeg()], { at: 0, text: caption });
    // As the dead instance left it: the parts stored, the decision inserted, nothing done.
    const key = `${en.chatId}:${parts[0]!.message!.media_group_id}`;
    const past = new Date(Date.now() - 2 * a.config.leaseMs);
    await a.db.models.AlbumPart.insertMany(
      parts.map((u) => {
        const photo = u.message!.photo!.at(-1)!;
        const image = { file_id: photo.file_id, file_unique_id: photo.file_unique_id, mime: "image/jpeg", width: photo.width, height: photo.height, sent_as: "photo" };
        return { album_key: key, chat_id: en.chatId, user_id: en.userId, message_id: idOf(u), image, caption: u.message!.caption, locale: "en", received_at: past };
      }),
    );
    await a.db.models.Group.collection.insertOne({
      _id: "deadbee" as never,
      key: `album:${key}`,
      kind: "album",
      chat_id: en.chatId,
      user_id: en.userId,
      locale: "en",
      album_key: key,
      parts: parts.map(idOf),
      photos: parts.map(idOf),
      caption,
      created_at: past,
    });
    await eventually(() => mm.createRequests.filter((r) => r.body.prompt === caption).length === 3, 15_000, "three creates");
    await tg.waitFor(() => tg.messages(en.chatId).find((m) => /^📚 Your album: 0 of 3 videos done/.test(m.text ?? "")), 10_000, "the status message");
    await settle(2_500);
    expect(mm.createRequests.filter((r) => r.body.prompt === caption)).toHaveLength(3);
    expect(tg.messages(en.chatId).filter((m) => m.text)).toHaveLength(1);
    expect(await a.db.models.AlbumPart.countDocuments({ album_key: key, open: true })).toBe(0);
    expect((await a.db.models.Group.findById("deadbee").lean())?.done_at).toBeInstanceOf(Date);
  });

  it("every part reaches one instance, which stops before the quiet window ends: the other instance decides", async () => {
    const { tg, mm, b } = pair;
    const en = user(9803, "en");
    const caption = "the bag opens";
    const parts = albumOf(tg, en, [jpeg(), jpeg(), jpeg()], { at: 1, text: caption });
    for (const u of parts) expect(await postUpdate(b, u)).toBe(200);
    await b.stop();
    await eventually(() => mm.createRequests.filter((r) => r.body.prompt === caption).length === 3, 15_000, "three creates");
    await tg.waitFor(() => tg.messages(en.chatId).find((m) => /^📚 Your album/.test(m.text ?? "")), 10_000, "the status message");
    expect(tg.rejectedCalls).toEqual([]);
  });
});

describe("albums and variant packs (polling mode)", () => {
  const s = useTestApp("albums", { mode: "polling", env: { MINIMAX_RPM: "100", FREE_CREDITS: "10", MAX_ACTIVE_PER_USER: "10" } });
  const creates = (prompt: string | RegExp) =>
    s.mm.createRequests.filter((r) => r.outcome === "accepted" && (typeof prompt === "string" ? r.body.prompt === prompt : prompt.test(String(r.body.prompt))));
  /** The status message answering `messageId`. */
  const statusOf = (who: TestUser, messageId: number) =>
    s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.text && m.reply_to_message?.message_id === messageId), 15_000, `the status message answering ${messageId}`);
  const textOf = (who: TestUser, messageId: number) => s.tg.messages(who.chatId).find((m) => m.message_id === messageId)?.text ?? "";

  it("English: four photos (one sent as an image file), the caption on the third: four jobs with that caption, four videos each answering its photo, one status message", async () => {
    s.mm.autoComplete({ afterMs: 30, video: (task) => makeMp4({ payloadBytes: 20_000 + Number(task.taskId.slice(-3)) }) });
    const en = user(9811, "en");
    const photos = [jpeg(), jpeg(), jpeg(960, 1280), { bytes: makePng(800, 600), width: 800, height: 600, asFile: true }];
    const caption = "the mug steams on a wooden table";
    const parts = albumOf(s.tg, en, photos, { at: 2, text: caption });
    for (const u of parts) await s.tg.deliver(u);

    const status = await statusOf(en, idOf(parts[0]!));
    expect(status.text).toMatch(/^📚 Your album: 0 of 4 videos done\./);
    expect(status.text).toContain("💳 4 videos for 4 credits in all, reserved now");
    expect(buttonLabels(s.tg, en.chatId, status.message_id)).toEqual([["✖️ Cancel the waiting ones"]]);
    for (const u of parts) await videoFor(s.tg, en, idOf(u));
    await s.tg.waitFor(() => /^✅ Your album is finished: 4 of 4 videos made/.test(textOf(en, status.message_id)), 20_000, "the finished album");
    await settle();

    const made = creates(caption);
    expect(made).toHaveLength(4);
    expect(new Set(made.map((r) => r.imageSha256))).toEqual(new Set(photos.map((p) => sha256(p.bytes))));
    expect(s.tg.videosSent(en.chatId)).toHaveLength(4);
    expect(new Set(s.tg.videosSent(en.chatId).map((v) => v.message.reply_to_message?.message_id))).toEqual(new Set(parts.map(idOf)));
    // One status message for the album, edited as it went; no other text.
    expect(s.tg.messages(en.chatId).filter((m) => m.text)).toEqual([expect.objectContaining({ message_id: status.message_id })]);
    const gens = await s.app.db.models.Generation.find({ chat_id: en.chatId }).lean();
    expect(new Set(gens.map((g) => g.group_id)).size).toBe(1);
    expect(gens.map((g) => g.phase)).toEqual(["delivered", "delivered", "delivered", "delivered"]);
    s.mm.autoComplete(null);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: four photos with a balance of two: the first two are made, photos 3 and 4 are named as not started, and only two credits are charged", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 25_000 }) });
    const en = user(9812, "en");
    const accounts = createAccounts(s.app.db.models, { freeCredits: 10 });
    await accounts.apply(en.userId, "test:spent-elsewhere", () => ({ kind: "grant", credits: -8 }));
    const caption = "the candle flickers";
    const photos = [jpeg(), jpeg(), jpeg(), jpeg()];
    const parts = albumOf(s.tg, en, photos, { at: 0, text: caption });
    for (const u of parts) await s.tg.deliver(u);

    const status = await statusOf(en, idOf(parts[0]!));
    expect(status.text).toContain("💳 2 videos for 2 credits in all, reserved now; each is charged only if MiniMax makes it. Balance left: 0 credits.");
    expect(status.text).toContain(
      "⏸ Photos 3 to 4 were not started: a video costs 1 credit and your balance is 0 credits. No credits were taken for these photos. Buy credits with Telegram Stars through /buy, then send them again.",
    );
    await videoFor(s.tg, en, idOf(parts[0]!));
    await videoFor(s.tg, en, idOf(parts[1]!));
    await s.tg.waitFor(() => /^✅ Your album is finished: 2 of 2 videos made/.test(textOf(en, status.message_id)), 20_000, "the finished album");
    await settle();
    // In album order: the first two photos.
    expect(new Set(creates(caption).map((r) => r.imageSha256))).toEqual(new Set(photos.slice(0, 2).map((p) => sha256(p.bytes))));
    expect(s.tg.videosSent(en.chatId)).toHaveLength(2);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: en.chatId })).toBe(2);
    const ledger = await ledgerOf(s.app, en.userId);
    // Photo 3 was refused (and photo 4 not tried after it): a `void` took its reservation key and moved nothing.
    expect(ledger.filter((e) => e.kind !== "void").map((e) => [e.kind, e.credits])).toEqual([["welcome", 10], ["grant", -8], ["reserve", -1], ["reserve", -1], ["capture", 0], ["capture", 0]]);
    expect(ledger.filter((e) => e.kind === "void").map((e) => e.credits)).toEqual([0]);
    expect(ledger.at(-1)).toMatchObject({ balance: 0, in_flight: 0 });
    s.mm.autoComplete(null);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("Russian: a captionless album of three is parked, asks for one description, and the next text message makes three videos", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 22_000 }) });
    const ru = user(9813, "ru");
    const parts = albumOf(s.tg, ru, [jpeg(), jpeg(), jpeg()]);
    // Telegram numbers updates as they come: the parts arrive last first.
    for (const u of [...parts].reverse()) await s.tg.deliver({ ...u, update_id: s.tg.nextUpdateId() });
    const ask = await statusOf(ru, idOf(parts[0]!));
    expect(ask.text).toMatch(/^📝 Альбом из 3 фотографий получен\. Что должно двигаться\?/);
    expect(creates(/./).filter((r) => r.body.prompt === "")).toHaveLength(0);

    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "ваза медленно вращается" }));
    for (const u of parts) await videoFor(s.tg, ru, idOf(u));
    expect(creates("ваза медленно вращается")).toHaveLength(3);
    const status = await s.tg.waitFor(() => s.tg.messages(ru.chatId).find((m) => /^📚 Ваш альбом|^✅ Альбом готов/.test(m.text ?? "")), 10_000, "the album's status");
    await s.tg.waitFor(() => /^✅ Альбом готов: сделано 3 из 3 видео, каждое — ответом на своё фото\./.test(textOf(ru, status.message_id)), 20_000, "the finished album");
    expect((await s.app.db.models.User.findById(ru.userId).lean())?.pending_album ?? undefined).toBeUndefined();
    s.mm.autoComplete(null);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: two photos with 9:16 chosen: one transition whose first and last frames are both 9:16, each photo whole in its frame", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 26_000 }) });
    const en = user(9816, "en");
    await s.app.db.models.User.create({ _id: en.userId, settings: { format: "9:16" } });
    const first = { bytes: await makeCornerPhoto(1200, 900), width: 1200, height: 900 };
    const second = { bytes: await makeCornerPhoto(800, 800), width: 800, height: 800 };
    const caption = "the jar lid twists open";
    const parts = albumOf(s.tg, en, [first, second], { at: 0, text: caption });
    for (const u of parts) await s.tg.deliver(u);
    const one = parts[0];
    const create = await eventually(() => creates(caption)[0], 15_000, "the transition's create");
    expect(create.body).toMatchObject({ model: "MiniMax-Hailuo-02", resolution: "768P" });
    for (const [image, photo] of [
      [create.imageBytes!, first],
      [create.frames!.find((f) => f.role === "last_frame")!.bytes!, second],
    ] as const) {
      const seen = await readFittedCorners(image, photo);
      expect(Math.abs(seen.width / seen.height / (9 / 16) - 1)).toBeLessThanOrEqual(0.01);
      seen.corners.forEach((colour, i) => expect(sameColour(colour, CORNER_COLOURS[i]!), `corner ${i} is ${colour}`).toBe(true));
    }
    const video = await videoFor(s.tg, en, idOf(one!));
    expect(video.caption).toMatch(/^🎬 Your transition video is ready/);
    expect(creates(caption)).toHaveLength(1);
    s.mm.autoComplete(null);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: 🎲 3 variants pressed twice under a video makes one pack: three jobs with three camera moves, one sendMediaGroup of three covered videos, a note with Again and Format for each", async () => {
    s.mm.autoComplete({ afterMs: 30, video: (task) => makeMp4({ payloadBytes: 30_000 + Number(task.taskId.slice(-3)) }) });
    const en = user(9814, "en");
    const photo = jpeg();
    const sent = s.tg.photoUpdate({ ...en, photo: s.tg.addPhoto(photo.bytes, photo.width, photo.height), caption: "the watch shines [Pan left]" });
    await s.tg.deliver(sent);
    const video = await videoFor(s.tg, en, idOf(sent));
    expect(buttonLabels(s.tg, en.chatId, video.message_id)[0]).toEqual(["🔁 Again", "🎲 3 variants"]);

    const taps = [pressUpdate(s.tg, en, video.message_id, "🎲 3 variants"), pressUpdate(s.tg, en, video.message_id, "🎲 3 variants")];
    for (const tap of taps) await s.tg.deliver(tap);
    const group = await s.tg.waitForCall("sendMediaGroup", (c) => c.params.chat_id === en.chatId, 20_000);
    const note = await s.tg.waitFor(() => s.tg.messages(en.chatId).find((m) => /^🎲 Your variants are in the album above/.test(m.text ?? "")), 10_000, "the note");
    await settle();

    // The user's own bracket command makes way for each variant's move.
    const pack = creates(/^the watch shines \[(Push in|Truck left|Static shot)\]$/);
    expect(pack.map((r) => r.body.prompt).sort()).toEqual(["the watch shines [Push in]", "the watch shines [Static shot]", "the watch shines [Truck left]"]);
    expect(new Set(pack.map((r) => r.imageSha256))).toEqual(new Set([sha256(photo.bytes)]));
    expect(s.tg.callsTo("sendMediaGroup")).toHaveLength(1);
    const media = group.params.media as Array<Record<string, unknown>>;
    expect(media).toHaveLength(3);
    const gens = await s.app.db.models.Generation.find({ chat_id: en.chatId, group_id: { $exists: true } }).sort({ pack_index: 1 }).lean();
    expect(gens.map((g) => g.pack_move)).toEqual(["Push in", "Truck left", "Static shot"]);
    for (const [i, item] of media.entries()) {
      expect(item).toMatchObject({ type: "video", cover: sent.message!.photo!.at(-1)!.file_id, supports_streaming: true, duration: 6, width: expect.any(Number), height: expect.any(Number) });
      expect(item.caption).toMatch(new RegExp(`^🎲 ${["Push in", "Slide left", "Static"][i]} \\(job <code>${gens[i]!.short_id}</code>\\)\n📐 Original · 🤖 Hailuo 02$`));
    }
    const albumMessages = s.tg.videosSent(en.chatId).filter((v) => v.method === "sendMediaGroup");
    expect(albumMessages).toHaveLength(3);
    expect(albumMessages.every((v) => v.message.video?.cover && v.message.reply_to_message?.message_id === video.message_id)).toBe(true);
    expect(albumMessages.map((v) => v.sha256)).toEqual(gens.map((g) => sha256([...s.mm.tasks.values()].find((t) => t.taskId === g.minimax_job_id)!.video!)));
    expect(buttonLabels(s.tg, en.chatId, note.message_id)).toEqual([
      ["🔁 Again · 1", "📐 Format · 1"],
      ["🔁 Again · 2", "📐 Format · 2"],
      ["🔁 Again · 3", "📐 Format · 3"],
    ]);
    await eventually(async () => (await s.app.db.models.Generation.countDocuments({ group_id: gens[0]!.group_id, phase: "delivered" })) === 3, 10_000, "every variant delivered");
    const delivered = await s.app.db.models.Generation.find({ group_id: gens[0]!.group_id }).sort({ pack_index: 1 }).lean();
    expect(delivered.map((g) => g.telegram_video_file_id)).toEqual(albumMessages.map((v) => v.message.video!.file_id));
    const answers = taps.map((t) => s.tg.callbackAnswers.find((a) => a.callback_query_id === t.callback_query!.id)?.text);
    expect(answers.sort()).toEqual(["This button has already started the variants.", "🎲 Three variants are on their way."]);
    // One status message for the pack, finished once the album is sent.
    const status = s.tg.messages(en.chatId).filter((m) => /^🎲 Your 3 variants|^✅ 3 of 3 variants made/.test(m.text ?? ""));
    expect(status).toHaveLength(1);
    await s.tg.waitFor(() => /^✅ 3 of 3 variants made: they are in the album below\./.test(textOf(en, status[0]!.message_id)), 15_000, "the finished pack");

    // Again for two variants on the one note: each its own job, with its own move.
    await press(s.tg, en, note.message_id, "🔁 Again · 2");
    await press(s.tg, en, note.message_id, "🔁 Again · 3");
    await eventually(() => creates("the watch shines [Truck left]").length === 2 && creates("the watch shines [Static shot]").length === 2, 10_000, "the two Agains");
    // Each is keyed by its variant's own video in the album (as the studio's Again on it is), and its messages answer that video.
    const agains = await s.app.db.models.Generation.find({ variation_of: { $in: [gens[1]!.short_id, gens[2]!.short_id] } }).lean();
    expect(agains).toHaveLength(2);
    const members = await s.app.db.models.Generation.find({ short_id: { $in: [gens[1]!.short_id, gens[2]!.short_id] } }).lean();
    for (const again of agains) {
      const member = members.find((m) => m.short_id === again.variation_of)!;
      expect(member.video_message_id).toBeTruthy();
      expect(again.source_message_id).toBe(member.video_message_id);
      const told = s.tg.messages(en.chatId).filter((m) => (m.text ?? m.caption ?? "").includes(again.short_id));
      expect(told.length).toBeGreaterThan(0);
      expect(told.map((m) => m.reply_to_message?.message_id)).toEqual(told.map(() => member.video_message_id));
    }
    expect((await ledgerOf(s.app, en.userId)).filter((e) => e.kind === "capture").length).toBeGreaterThanOrEqual(4);
    s.mm.autoComplete(null);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: the setting makes a pack of a new photo; one variant fails: the other two arrive as one album and its credit comes back", async () => {
    const en = user(9815, "en");
    await s.tg.deliver(s.tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await s.tg.waitFor(() => s.tg.messages(en.chatId).find((m) => /Settings/.test(m.text ?? "")), 10_000, "the settings");
    await press(s.tg, en, menu.message_id, "🎲 3 variants per photo: off");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id).flat().includes("🎲 3 variants per photo: on"));

    const photo = jpeg(1080, 1080);
    const sent = s.tg.photoUpdate({ ...en, photo: s.tg.addPhoto(photo.bytes, photo.width, photo.height), caption: "the sneaker on a podium" });
    await s.tg.deliver(sent);
    const tasks = await eventually(() => {
      const found = [...s.mm.tasks.values()].filter((t) => t.prompt?.startsWith("the sneaker on a podium ["));
      return found.length === 3 && found;
    }, 15_000, "three tasks");
    const [pushIn, truck, still] = ["Push in", "Truck left", "Static shot"].map((m) => tasks.find((t) => t.prompt === `the sneaker on a podium [${m}]`)!);
    const videos = [makeMp4({ payloadBytes: 31_000 }), makeMp4({ payloadBytes: 32_000 })];
    await s.mm.succeed(pushIn!.taskId, videos[0]!);
    await s.mm.fail(truck!.taskId, 1027, "output new_sensitive");
    await s.mm.succeed(still!.taskId, videos[1]!);

    const group = await s.tg.waitForCall("sendMediaGroup", (c) => c.params.chat_id === en.chatId, 20_000);
    await settle();
    expect(s.tg.callsTo("sendMediaGroup").filter((c) => c.params.chat_id === en.chatId)).toHaveLength(1);
    expect((group.params.media as unknown[]).length).toBe(2);
    expect(s.tg.videosSent(en.chatId).map((v) => v.sha256)).toEqual(videos.map(sha256));
    expect(s.tg.videosSent(en.chatId).every((v) => v.message.reply_to_message?.message_id === idOf(sent))).toBe(true);
    // The failed one was told, and its credit is back; the other two were charged.
    await s.tg.waitFor(() => s.tg.messages(en.chatId).find((m) => /^❌ Job \w{7}: MiniMax stopped the video/.test(m.text ?? "")), 10_000, "the failure notice");
    const ledger = await ledgerOf(s.app, en.userId);
    expect(ledger.filter((e) => e.kind === "reserve")).toHaveLength(3);
    expect(ledger.filter((e) => e.kind === "capture")).toHaveLength(2);
    expect(ledger.filter((e) => e.kind === "release").map((e) => e.credits)).toEqual([1]);
    expect(ledger.at(-1)).toMatchObject({ balance: 8, in_flight: 0 });
    const status = s.tg.messages(en.chatId).find((m) => /^🎲 Your 3 variants|^✅ 2 of 3 variants made/.test(m.text ?? ""))!;
    await s.tg.waitFor(() => /^✅ 2 of 3 variants made: they are in the album below\.\n❌ Failed: 1 video\. Its credits are back on your balance\./.test(textOf(en, status.message_id)), 15_000, "the pack's ending");
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});

describe("albums when MiniMax-Hailuo-02 is not enabled (polling mode)", () => {
  const s = useTestApp("albums-off", { mode: "polling", env: { MINIMAX_MODELS: "MiniMax-Hailuo-2.3", MINIMAX_MODEL: "MiniMax-Hailuo-2.3" } });

  it("two photos are answered that transitions are off, and nothing is charged", async () => {
    const en = user(9821, "en");
    const parts = albumOf(s.tg, en, [jpeg(), jpeg()], { at: 0, text: "the lid lifts" });
    for (const u of parts) await s.tg.deliver(u);
    const answer = await s.tg.waitFor(() => s.tg.messages(en.chatId).find((m) => m.reply_to_message?.message_id === idOf(parts[0]!)), 10_000, "the answer");
    expect(answer.text).toBe("🔀 Two photos make a transition video, but this bot has that switched off. Nothing was charged. Send the photos one at a time to get a video of each.");
    await settle(2_500);
    expect(s.tg.messages(en.chatId)).toHaveLength(1);
    expect(s.mm.createRequests).toEqual([]);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: en.chatId })).toBe(0);
    expect((await s.app.db.models.Ledger.find({ user_id: en.userId }).lean()).filter((e) => e.kind !== "welcome")).toEqual([]);
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});

describe("the album's one Cancel (polling mode, one create per 4 s)", () => {
  const s = useTestApp("albums-cancel", { mode: "polling", env: { MINIMAX_RPM: "1", MINIMAX_RPM_WINDOW_MS: "4000", MAX_ACTIVE_PER_USER: "10", FREE_CREDITS: "5" } });

  it("cancels every job of the album not yet at MiniMax, with their credits back, in the one status message", async () => {
    const en = user(9831, "en");
    const caption = "the perfume bottle sparkles";
    const parts = albumOf(s.tg, en, [jpeg(), jpeg(), jpeg()], { at: 0, text: caption });
    for (const u of parts) await s.tg.deliver(u);
    const status = await s.tg.waitFor(() => s.tg.messages(en.chatId).find((m) => /^📚 Your album/.test(m.text ?? "")), 10_000, "the status message");
    await eventually(() => s.mm.createRequests.some((r) => r.body.prompt === caption), 10_000, "the first create");

    const answer = await press(s.tg, en, status.message_id, "✖️ Cancel the waiting ones");
    expect(answer.text).toBe("Cancelled: 2 waiting jobs; their credits go back to your balance.");
    await s.tg.waitFor(
      () => /🚫 Cancelled before reaching MiniMax: 2 videos\. Their credits are back on your balance\./.test(s.tg.messages(en.chatId).find((m) => m.message_id === status.message_id)?.text ?? ""),
      15_000,
      "the cancelled jobs in the status message",
    );
    expect(buttonLabels(s.tg, en.chatId, status.message_id)).toEqual([]);
    await settle(4_500); // past the next rate window: nothing more goes to MiniMax
    expect(s.mm.createRequests.filter((r) => r.body.prompt === caption)).toHaveLength(1);
    const ledger = await ledgerOf(s.app, en.userId);
    expect(ledger.filter((e) => e.kind === "release").map((e) => e.credits)).toEqual([1, 1]);
    // No notice per cancelled job: the status message says it for them all.
    expect(s.tg.messages(en.chatId).filter((m) => m.text)).toHaveLength(1);
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});

describe("a variant pack with one bad member (polling mode, DELIVERY_TIMEOUT_MIN 0.1)", () => {
  const s = useTestApp("badmember", { mode: "polling", env: { MINIMAX_RPM: "100", FREE_CREDITS: "10", MAX_ACTIVE_PER_USER: "10", DELIVERY_TIMEOUT_MIN: "0.1" } });

  /** A pack of a new photo for `who`: its three tasks, in pack order, each made with a video of its own. */
  async function packMade(who: TestUser, caption: string) {
    await s.app.db.models.User.updateOne({ _id: who.userId }, { $set: { settings: { variants: true } } }, { upsert: true });
    const photo = jpeg(1080, 1080);
    const sent = s.tg.photoUpdate({ ...who, photo: s.tg.addPhoto(photo.bytes, photo.width, photo.height), caption });
    await s.tg.deliver(sent);
    const tasks = await eventually(() => {
      const found = [...s.mm.tasks.values()].filter((t) => t.prompt?.startsWith(`${caption} [`));
      return found.length === 3 && found;
    }, 15_000, "three tasks");
    const ordered = ["Push in", "Truck left", "Static shot"].map((m) => tasks.find((t) => t.prompt === `${caption} [${m}]`)!);
    const videos = ordered.map((_, i) => makeMp4({ payloadBytes: 33_000 + i * 1_000 }));
    return { sent, tasks: ordered, videos };
  }
  const albumsTo = (who: TestUser) => s.tg.callsTo("sendMediaGroup").filter((c) => c.params.chat_id === who.chatId && !c.error);

  it("English: one variant's download keeps answering 404: the other two arrive at once as one album; it goes alone, timed from when the album could go, and arrives once its file can be had", { timeout: 60_000 }, async () => {
    const en = user(9830, "en");
    const { sent, tasks, videos } = await packMade(en, "the bag on a shelf");
    await s.mm.succeed(tasks[0]!.taskId, videos[0]!);
    await s.mm.succeed(tasks[1]!.taskId, videos[1]!);
    s.mm.breakDownloads(tasks[1]!.fileId!, 404);
    // The last variant takes longer than DELIVERY_TIMEOUT_MIN: the first two wait for it, and that
    // wait is not counted against their delivery, which starts once the album can go.
    await settle(7_000);
    await s.mm.succeed(tasks[2]!.taskId, videos[2]!);

    const album = await s.tg.waitForCall("sendMediaGroup", (c) => c.params.chat_id === en.chatId && !c.error, 15_000);
    expect((album.params.media as unknown[]).length).toBe(2);
    const inAlbum = s.tg.videosSent(en.chatId).filter((v) => v.method === "sendMediaGroup");
    expect(inAlbum.map((v) => v.sha256)).toEqual([sha256(videos[0]!), sha256(videos[2]!)]);
    // The bad one is tried alone meanwhile, each try a fresh retrieve; once the CDN serves it, it comes as a single video.
    await eventually(() => s.mm.downloads.filter((d) => d.fileId === tasks[1]!.fileId && d.status === 404).length >= 2, 10_000, "the bad member tried alone");
    s.mm.breakDownloads(tasks[1]!.fileId!, null);
    await s.tg.waitFor(() => s.tg.videosSent(en.chatId).find((v) => v.method === "sendVideo" && v.sha256 === sha256(videos[1]!)), 15_000, "the bad member's video");
    expect(albumsTo(en)).toHaveLength(1);
    expect(s.tg.videosSent(en.chatId).map((v) => v.sha256).sort()).toEqual(videos.map(sha256).sort());
    expect(s.tg.videosSent(en.chatId).every((v) => v.message.reply_to_message?.message_id === idOf(sent))).toBe(true);
    const gens = await eventually(async () => {
      const found = await s.app.db.models.Generation.find({ chat_id: en.chatId, group_id: { $exists: true } }).lean();
      return found.every((g) => g.phase === "delivered") && found;
    }, 10_000, "every variant delivered");
    expect(gens).toHaveLength(3);
    const ledger = await ledgerOf(s.app, en.userId);
    expect(ledger.filter((e) => e.kind === "capture")).toHaveLength(3);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: Telegram refuses one variant's video: the album goes again at once without it; it ends alone, told as undelivered, its credit charged as for any video MiniMax made", { timeout: 60_000 }, async () => {
    const en = user(9831, "en");
    const { tasks, videos } = await packMade(en, "the mug on a table");
    s.tg.refuseVideo(sha256(videos[2]!));
    for (const [i, task] of tasks.entries()) await s.mm.succeed(task.taskId, videos[i]!);

    const refused = await s.tg.waitFor(() => s.tg.callsTo("sendMediaGroup").find((c) => c.params.chat_id === en.chatId && c.error), 15_000, "the refused album");
    expect(refused.error!.description).toMatch(/^Bad Request: failed to send message #3 with the error message/);
    const album = await s.tg.waitForCall("sendMediaGroup", (c) => c.params.chat_id === en.chatId && !c.error, 15_000);
    expect((album.params.media as unknown[]).length).toBe(2);
    expect(s.tg.videosSent(en.chatId).map((v) => v.sha256)).toEqual([sha256(videos[0]!), sha256(videos[1]!)]);
    // Alone, it is refused as a single video until DELIVERY_TIMEOUT_MIN, counted from when the album could go.
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ minimax_job_id: tasks[2]!.taskId, phase: "failed" }).lean(), 30_000, "the refused variant given up");
    expect(gen.error_code).toBe("undelivered");
    expect(s.tg.callsTo("sendVideo").filter((c) => c.params.chat_id === en.chatId && c.error).length).toBeGreaterThanOrEqual(1);
    await s.tg.waitFor(() => s.tg.messages(en.chatId).find((m) => new RegExp(`^❌ Job ${gen.short_id}: MiniMax made the video, but I could not send it to you`).test(m.text ?? "")), 10_000, "the notice");
    const others = await s.app.db.models.Generation.find({ minimax_job_id: { $in: [tasks[0]!.taskId, tasks[1]!.taskId] } }).lean();
    expect(others.map((g) => g.phase)).toEqual(["delivered", "delivered"]);
    expect(albumsTo(en)).toHaveLength(1);
    const ledger = await ledgerOf(s.app, en.userId);
    expect(ledger.filter((e) => e.kind === "capture")).toHaveLength(3);
  });
});
