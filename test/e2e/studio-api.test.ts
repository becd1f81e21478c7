import { beforeAll, describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, TEST_BOT_TOKEN } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, buttonLabels, photoFrom, press, pressUpdate, sha256, taskFor, user, type TestUser } from "../support/scenario.js";
import { CORNER_COLOURS, makeCornerPhoto, readFittedCorners, sameColour } from "../support/images.js";
import { deliveredVideo, SAMPLE_MP4, studioCall, TEST_WEBAPP_URL } from "../support/studio.js";
import { exampleFields, launchDataFor, signLaunchData } from "../support/webapp.js";

const MB = 1024 * 1024;
const BIG_UPLOAD = "big upload:"; // 21 MB: uploaded, but past getFile's 20 MB
const AS_LINK = "as a link:"; // 23 MB: past the 22 MB upload limit, sent as a link
const bigVideos = new Map<string, Buffer>();
const videoFor = (prompt: string | undefined) => {
  const size = prompt?.startsWith(BIG_UPLOAD) ? 21 * MB : prompt?.startsWith(AS_LINK) ? 23 * MB : 0;
  if (!size) return SAMPLE_MP4;
  const video = makeMp4({ payloadBytes: size });
  bigVideos.set(prompt!, video);
  return video;
};

interface Item {
  id: string;
  prompt: string;
  model: string;
  modelName: string;
  format: string;
  formatName: string;
  photo: string;
  video: string;
  poster: string;
  download: string;
  delivery: string;
}
interface Page {
  items: Item[];
  next: string | null;
  filters?: { formats: Array<{ value: string; label: string }>; models: Array<{ value: string; label: string }> };
}

/**
 * The studio's API against the real app, the fake Bot API and MiniMax and the test database: who
 * may see and do what (launch data checked as Telegram specifies), and the video bytes with Range.
 */
describe("studio API", () => {
  const s = useTestApp("studio-api", {
    mode: "polling",
    env: {
      WEBAPP_URL: TEST_WEBAPP_URL,
      MINIMAX_RPM: "100",
      MAX_ACTIVE_PER_USER: "10",
      FREE_CREDITS: "20",
      TELEGRAM_UPLOAD_LIMIT_MB: "22",
      // H3 reads no camera commands: the studio offers it no variants.
      MINIMAX_MODELS: "MiniMax-Hailuo-02,MiniMax-Hailuo-2.3,MiniMax-Hailuo-2.3-Fast,MiniMax-H3",
    },
  });
  beforeAll(() => s.mm.autoComplete({ afterMs: 30, video: (task) => videoFor(task.prompt) }));
  const alice = user(9501, "en");
  const bob = user(9502, "ru");
  const asAlice = { id: alice.userId, first_name: "Alice", language_code: "en" };
  const asBob = { id: bob.userId, first_name: "Боб", language_code: "ru" };
  const call = <T = Record<string, unknown>>(path: string, opts: Parameters<typeof studioCall>[2] = {}) => studioCall<T>(s.app.url, path, opts);
  const media = (path: string, headers: Record<string, string> = {}, method = "GET") => fetch(`${s.app.url}/app/${path}`, { method, headers });

  it("answers 401 to launch data that is missing, tampered, expired or another bot's, and changes nothing", async () => {
    const { gen } = await deliveredVideo(s, alice, "the kettle steams on a wooden table");
    const tampered = new URLSearchParams(launchDataFor(asBob, TEST_BOT_TOKEN));
    tampered.set("user", JSON.stringify({ ...asBob, id: alice.userId }));
    const refusals = {
      missing: null,
      unsigned: new URLSearchParams(exampleFields(asAlice)).toString(),
      tampered: tampered.toString(),
      expired: launchDataFor(asAlice, TEST_BOT_TOKEN, Math.floor(Date.now() / 1000) - 86_401),
      "another bot": signLaunchData(exampleFields(asAlice), "7099999999:AAFanother-bot-token-0123456789abcd"),
    };
    const tasksBefore = s.mm.tasks.size;
    for (const [what, initData] of Object.entries(refusals)) {
      for (const [method, path] of [["GET", "me"], ["GET", "gallery"], ["POST", `videos/${gen.short_id}/again`], ["POST", `videos/${gen.short_id}/variants`], ["PUT", "settings"]] as const) {
        const answer = await call(path, { initData, method, ...(method === "PUT" ? { body: { promptOptimizer: false } } : {}) });
        expect(answer.status, `${what}: ${method} ${path}`).toBe(401);
        expect(JSON.stringify(answer.body)).not.toContain("kettle");
      }
    }
    expect(s.mm.tasks.size).toBe(tasksBefore);
    expect(await s.app.db.models.Generation.countDocuments({ user_id: alice.userId })).toBe(1);
    expect((await s.app.db.models.User.findById(alice.userId).lean())?.settings?.prompt_optimizer).toBeUndefined();
    // The launch data never reaches the logs, accepted or refused.
    await call("me", { who: asAlice });
    const hash = new URLSearchParams(refusals.expired).get("hash")!;
    expect(s.app.logs.join("\n")).not.toContain(hash);
    expect(s.app.logs.join("\n")).not.toContain("query_id");
  });

  it("each user's gallery lists their own delivered videos, newest first, a page at a time", async () => {
    await deliveredVideo(s, alice, "the sneaker turns on a white podium");
    await deliveredVideo(s, bob, "чайник на деревянном столе");
    const me = await call<{ user: { id: number }; locale: string; texts: Record<string, string> }>("me", { who: asBob });
    expect(me.body.user.id).toBe(bob.userId);
    expect(me.body.locale).toBe("ru");
    expect(me.body.texts["button-again"]).toBe("🔁 Ещё раз");

    const mine = await call<Page>("gallery", { who: asAlice });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i) => i.prompt)).toEqual(["the sneaker turns on a white podium", "the kettle steams on a wooden table"]);
    expect(mine.body.filters).toEqual({ formats: [{ value: "original", label: "Original" }], models: [{ value: "MiniMax-Hailuo-02", label: "Hailuo 02" }] });
    expect(mine.body.items[0]).toMatchObject({ format: "original", formatName: "Original", model: "MiniMax-Hailuo-02", modelName: "Hailuo 02" });
    const theirs = await call<Page>("gallery", { who: asBob });
    expect(theirs.body.items.map((i) => i.prompt)).toEqual(["чайник на деревянном столе"]);

    const first = await call<Page>("gallery?limit=1", { who: asAlice });
    expect(first.body.items.map((i) => i.prompt)).toEqual(["the sneaker turns on a white podium"]);
    const second = await call<Page>(`gallery?limit=1&cursor=${first.body.next}`, { who: asAlice });
    expect(second.body.items.map((i) => i.prompt)).toEqual(["the kettle steams on a wooden table"]);
    expect(second.body.next).toBeNull();
    expect((await call("gallery?cursor=bm90LWEtY3Vyc29y", { who: asAlice })).status).toBe(400);
    // Another user's cursor is only a position: it shows nothing of theirs.
    expect((await call<Page>(`gallery?cursor=${first.body.next}`, { who: asBob })).body.items).toEqual([]);
  });

  it("filters by model and by format, with or without a stored format", async () => {
    const { gen } = await deliveredVideo(s, alice, "the lamp glows in a dark room");
    await s.app.db.models.Generation.collection.updateOne({ _id: gen._id }, { $set: { format: "9:16" } });
    // A video made before formats existed has none stored: it counts as "original".
    await s.app.db.models.Generation.collection.updateOne({ user_id: alice.userId, user_prompt: "the kettle steams on a wooden table" }, { $unset: { format: "" } });
    const all = await call<Page>("gallery", { who: asAlice });
    expect(all.body.filters?.formats).toEqual([
      { value: "9:16", label: "9:16 · Reels/TikTok/Shorts" },
      { value: "original", label: "Original" },
    ]);
    expect(all.body.items[0]).toMatchObject({ prompt: "the lamp glows in a dark room", format: "9:16", formatName: "9:16 · Reels/TikTok/Shorts" });
    expect(all.body.items.at(-1)).toMatchObject({ prompt: "the kettle steams on a wooden table", format: "original" });
    const tall = await call<Page>("gallery?format=9%3A16", { who: asAlice });
    expect(tall.body.items.map((i) => i.prompt)).toEqual(["the lamp glows in a dark room"]);
    const original = await call<Page>("gallery?format=original", { who: asAlice });
    expect(original.body.items.map((i) => i.prompt)).toEqual(["the sneaker turns on a white podium", "the kettle steams on a wooden table"]);
    expect((await call<Page>("gallery?model=MiniMax-Hailuo-02", { who: asAlice })).body.items).toHaveLength(3);
    expect((await call<Page>("gallery?model=I2V-01", { who: asAlice })).body.items).toHaveLength(0);
  });

  it("plays a video with Range: 206 and exactly the bytes asked for; the poster is the seller's photo", async () => {
    const sent = photoFrom(s.tg, alice, "the watch ticks on black velvet");
    await s.tg.deliver(sent.update);
    await eventually(() => s.app.db.models.Generation.findOne({ user_prompt: "the watch ticks on black velvet", phase: "delivered" }), 20_000, "delivered");
    const item = (await call<Page>("gallery", { who: asAlice })).body.items.find((i) => i.prompt === "the watch ticks on black velvet")!;

    const whole = await media(item.video);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(SAMPLE_MP4));

    const part = await media(item.video, { range: "bytes=100-1123" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-1123/${SAMPLE_MP4.length}`);
    expect(part.headers.get("content-length")).toBe("1024");
    expect(Buffer.from(await part.arrayBuffer()).equals(SAMPLE_MP4.subarray(100, 1124))).toBe(true);
    const tail = await media(item.video, { range: "bytes=-64" });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(SAMPLE_MP4.subarray(-64))).toBe(true);
    const open = await media(item.video, { range: `bytes=${SAMPLE_MP4.length - 10}-` });
    expect(Buffer.from(await open.arrayBuffer()).equals(SAMPLE_MP4.subarray(-10))).toBe(true);
    expect((await media(item.video, { range: `bytes=${SAMPLE_MP4.length}-` })).status).toBe(416);
    const head = await media(item.video, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(SAMPLE_MP4.length));

    const download = await media(item.download);
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="astrolus-${item.id}.mp4"`);
    const poster = await media(item.poster);
    expect(poster.status).toBe(200);
    expect(poster.headers.get("content-type")).toBe("image/jpeg");
    expect(sha256(Buffer.from(await poster.arrayBuffer()))).toBe(sha256(sent.bytes));
    // The URL with the bot token stays on the server.
    expect(JSON.stringify(item)).not.toContain(TEST_BOT_TOKEN);
    expect(item.video).not.toContain("bot");
  });

  it("a player that gives up while the file is being fetched does not bring the server down", async () => {
    const { gen } = await deliveredVideo(s, alice, "the headphones on a desk");
    const item = (await call<Page>("gallery", { who: asAlice })).body.items.find((i) => i.id === gen.short_id)!;
    // Telegram is slow to answer getFile; the player leaves meanwhile (a seek, a closed page).
    s.tg.delayNext("getFile", 400);
    const gone = new AbortController();
    const asked = fetch(`${s.app.url}/app/${item.video}`, { signal: gone.signal }).catch(() => null);
    await new Promise((r) => setTimeout(r, 100));
    gone.abort();
    await asked;
    await new Promise((r) => setTimeout(r, 800));
    expect((await fetch(`${s.app.url}/healthz`)).status).toBe(200);
    const whole = await media(item.video);
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(SAMPLE_MP4));
  });

  it("one user can neither list, play nor act on another user's video", async () => {
    const aliceItem = (await call<Page>("gallery", { who: asAlice })).body.items[0]!;
    const bobItem = (await call<Page>("gallery", { who: asBob })).body.items[0]!;
    expect((await call(`videos/${aliceItem.id}`, { who: asBob })).status).toBe(404);
    expect((await call(`videos/${aliceItem.id}`, { who: asAlice })).status).toBe(200);

    const tasksBefore = s.mm.tasks.size;
    const again = await call(`videos/${aliceItem.id}/again`, { who: asBob, method: "POST" });
    expect(again.status).toBe(404);
    expect(s.mm.tasks.size).toBe(tasksBefore);
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: aliceItem.id })).toBe(0);
    expect((await call(`jobs/${aliceItem.id}/cancel`, { who: asBob, method: "POST" })).status).toBe(404);

    // Bob's own media token does not open Alice's files: it is bound to his user and his video.
    const bobToken = new URL(bobItem.video, "http://x/app/").searchParams.get("t")!;
    expect((await media(`api/videos/${aliceItem.id}/file?t=${bobToken}`)).status).toBe(401);
    expect((await media(`api/photos/${aliceItem.id}?t=${bobToken}`)).status).toBe(401);
    const forged = bobToken.replace(String(bob.userId), String(alice.userId));
    expect((await media(`api/videos/${aliceItem.id}/file?t=${forged}`)).status).toBe(401);
    expect((await media(`api/videos/${aliceItem.id}/file`)).status).toBe(401);
  });

  it("🔁 Again makes one generation through the chat's admission: the same key as the button under the video, a status message in the chat", async () => {
    const { gen } = await deliveredVideo(s, bob, "ваза с цветами у окна");
    const tasksBefore = s.mm.tasks.size;
    const [a, b] = await Promise.all([
      call<{ kind: string; text: string }>(`videos/${gen.short_id}/again`, { who: asBob, method: "POST" }),
      call<{ kind: string; text: string }>(`videos/${gen.short_id}/again`, { who: asBob, method: "POST" }),
    ]);
    expect([a.body.kind, b.body.kind].sort()).toEqual(["created", "duplicate"]);
    expect([a, b].find((r) => r.body.kind === "created")!.body.text).toBe("🎬 Новое видео уже в работе, следите за ним в чате.");
    const again = await eventually(() => s.app.db.models.Generation.findOne({ variation_of: gen.short_id }).lean(), 5_000, "the new generation");
    expect(again).toMatchObject({ source_message_id: gen.video_message_id, chat_id: bob.chatId, user_prompt: "ваза с цветами у окна", price: 1 });
    await taskFor(s.mm, "ваза с цветами у окна");
    await eventually(() => s.mm.tasks.size === tasksBefore + 1);
    // The status message replies to the video, as for the chat's button; the button under the video then finds it started.
    const status = await eventually(() => s.tg.messages(bob.chatId).find((m) => m.reply_to_message?.message_id === gen.video_message_id && /Цена/.test(m.text ?? "")));
    expect(status.text).toMatch(new RegExp(again!.short_id));
    const later = await call<{ kind: string }>(`videos/${gen.short_id}/again`, { who: asBob, method: "POST" });
    expect(later.body.kind).toBe("duplicate");
  });

  /** A real photo (coloured corners, so its fitting can be seen) sent with `caption`, once its video is delivered. */
  async function deliveredCornerVideo(who: TestUser, caption: string) {
    const bytes = await makeCornerPhoto(1000, 1000);
    await s.tg.deliver(s.tg.photoUpdate({ ...who, photo: s.tg.addPhoto(bytes, 1000, 1000), caption }));
    return eventually(() => s.app.db.models.Generation.findOne({ chat_id: who.chatId, user_prompt: caption, phase: "delivered" }).lean(), 20_000, `"${caption}" delivered`);
  }
  const acceptedCreates = (prompt: string | RegExp) =>
    s.mm.createRequests.filter((r) => r.outcome === "accepted" && (typeof prompt === "string" ? r.body.prompt === prompt : prompt.test(String(r.body.prompt))));
  const settle = () => new Promise((r) => setTimeout(r, 600)); // room for a second job, should one be made
  type Answer = { kind: string; text: string };

  it("📐 another format makes one video in that format, keyed as the chat's 📐 is: whichever side asks second gets a duplicate", async () => {
    const dan = user(9503, "en");
    const asDan = { id: dan.userId, language_code: "en" };
    const gen = await deliveredCornerVideo(dan, "the candle flickers on a shelf");
    const variations = () => s.app.db.models.Generation.find({ variation_of: gen.short_id }).sort({ _id: 1 }).lean();

    // The studio first, pressed twice at once: one job, in 9:16, fitted so, priced as usual.
    const twice = await Promise.all([0, 1].map(() => call<Answer>(`videos/${gen.short_id}/format`, { who: asDan, method: "POST", body: { format: "9:16" } })));
    expect(twice.map((r) => r.body.kind).sort()).toEqual(["created", "duplicate"]);
    expect(twice.find((r) => r.body.kind === "created")!.body.text).toBe("📐 9:16 · Reels/TikTok/Shorts: the new video is on its way; follow it in the chat.");
    const [tall] = await eventually(async () => ((await variations()).length ? variations() : null), 5_000, "the 9:16 job");
    expect(tall).toMatchObject({ format: "9:16", model: gen.model, user_prompt: "the candle flickers on a shelf", price: 1 });
    const tallCreate = await eventually(() => acceptedCreates("the candle flickers on a shelf")[1], 10_000, "the 9:16 create");
    const seen = await readFittedCorners(tallCreate.imageBytes!, { width: 1000, height: 1000 });
    expect(Math.abs(seen.width / seen.height / (9 / 16) - 1)).toBeLessThanOrEqual(0.01);
    seen.corners.forEach((colour, i) => expect(sameColour(colour, CORNER_COLOURS[i]!)).toBe(true));
    // The status message goes to the chat, under the video.
    const status = await botMessage(s.tg, dan.chatId, new RegExp(`${tall!.short_id}[\\s\\S]*Price: 1 credit`));
    expect(status.reply_to_message?.message_id).toBe(gen.video_message_id);

    // Then the chat: 9:16 in the picker under the same video is the same job.
    await press(s.tg, dan, gen.video_message_id!, "📐 Format");
    const picker = await botMessage(s.tg, dan.chatId, /In which shape/);
    expect((await press(s.tg, dan, picker.message_id, "9:16 · Reels/TikTok/Shorts")).text).toBe("This button has already started a video.");
    // The other way round: 1:1 from the chat first, then from the studio.
    expect((await press(s.tg, dan, picker.message_id, "1:1 · feeds")).text).toBe("🎬 A new video is on its way.");
    const square = await call<Answer>(`videos/${gen.short_id}/format`, { who: asDan, method: "POST", body: { format: "1:1" } });
    expect(square.body).toEqual({ kind: "duplicate", text: "This button has already started a video." });
    await settle();
    expect((await variations()).map((g) => g.format)).toEqual(["9:16", "1:1"]);
    expect(acceptedCreates("the candle flickers on a shelf")).toHaveLength(3);
    const reserves = await s.app.db.models.Ledger.countDocuments({ user_id: dan.userId, kind: "reserve" });
    expect(reserves).toBe(3);

    // Bad input is a 400 and changes nothing: the video's own format, one that is not offered, no format.
    for (const body of [{ format: "original" }, { format: "4:5" }, {}, ["9:16"]]) {
      expect((await call(`videos/${gen.short_id}/format`, { who: asDan, method: "POST", body })).status, JSON.stringify(body)).toBe(400);
    }
    // Another user's video is not found, whatever the format.
    expect((await call(`videos/${gen.short_id}/format`, { who: asBob, method: "POST", body: { format: "3:4" } })).status).toBe(404);
    expect((await call(`videos/${gen.short_id}/variants`, { who: asBob, method: "POST" })).status).toBe(404);
    await settle();
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: gen.short_id })).toBe(2);
    expect(await s.app.db.models.Ledger.countDocuments({ user_id: dan.userId, kind: "reserve" })).toBe(3);

    // A video delivered before its message was recorded: only the chat's picker keys it (by the picker), and a double press there makes one.
    const old = await deliveredCornerVideo(dan, "the old teapot on a stove");
    await s.app.db.models.Generation.collection.updateOne({ _id: old._id }, { $unset: { video_message_id: "" } });
    expect((await call<Answer>(`videos/${old.short_id}/format`, { who: asDan, method: "POST", body: { format: "3:4" } })).body).toEqual({
      kind: "in-chat",
      text: "This video was made before the studio opened: tap “📐 Format” under it in the chat.",
    });
    await press(s.tg, dan, old.video_message_id!, "📐 Format");
    const oldPicker = await eventually(() => s.tg.messages(dan.chatId).find((m) => /In which shape/.test(m.text ?? "") && m.reply_to_message?.message_id === old.video_message_id));
    const taps = [pressUpdate(s.tg, dan, oldPicker.message_id, "3:4 · Wildberries/Ozon"), pressUpdate(s.tg, dan, oldPicker.message_id, "3:4 · Wildberries/Ozon")];
    await Promise.all(taps.map((tap) => s.tg.deliver(tap)));
    await eventually(() => s.app.db.models.Generation.exists({ variation_of: old.short_id }), 5_000, "the old video's 3:4 job");
    await settle();
    expect(await s.app.db.models.Generation.find({ variation_of: old.short_id }).lean()).toMatchObject([{ format: "3:4", source_message_id: oldPicker.message_id }]);
  });

  it("🧩 again with a template: the library in the reader's language; one job keyed as the chat's 🧩 picker is, and the gallery names the template", async () => {
    const fay = user(9509, "ru");
    const asFay = { id: fay.userId, language_code: "ru" };
    const gen = await deliveredCornerVideo(fay, "чайник на плите");
    const me = await call<{ templates: Array<{ value: string; label: string; about: string; category: string }> }>("me", { who: asFay });
    expect(me.body.templates.length).toBeGreaterThanOrEqual(12);
    expect(me.body.templates[0]).toEqual({ value: "turntable", label: "🔄 Поворот 360°", about: "Товар делает полный оборот на белом фоне: все стороны в одном видео.", category: "Любой товар" });

    const twice = await Promise.all([0, 1].map(() => call<Answer>(`videos/${gen.short_id}/template`, { who: asFay, method: "POST", body: { template: "steam" } })));
    expect(twice.map((r) => r.body.kind).sort()).toEqual(["created", "duplicate"]);
    expect(twice.find((r) => r.body.kind === "created")!.body.text).toBe("🧩 ♨️ Пар и тепло: новое видео уже в работе, следите за ним в чате.");
    const steam = s.app.config.templates.templates.find((t) => t.id === "steam")!;
    await eventually(() => acceptedCreates(`${steam.prompt} [Push in]`)[0], 10_000, "the steam create");
    // The chat's 🧩 under the same video, the same template: the same job.
    await press(s.tg, fay, gen.video_message_id!, "🧩 Шаблон");
    const picker = await botMessage(s.tg, fay.chatId, /С каким шаблоном сделать это фото/);
    await press(s.tg, fay, picker.message_id, "🧩 Ещё шаблоны…");
    for (const next of ["Электроника ▶️", "Косметика ▶️", "Одежда ▶️", "Украшения ▶️", "Дом и кухня ▶️"]) {
      await s.tg.waitFor(() => buttonLabels(s.tg, fay.chatId, picker.message_id).flat().includes(next));
      await press(s.tg, fay, picker.message_id, next);
    }
    await s.tg.waitFor(() => buttonLabels(s.tg, fay.chatId, picker.message_id).flat().includes("♨️ Пар и тепло"));
    expect((await press(s.tg, fay, picker.message_id, "♨️ Пар и тепло")).text).toBe("Видео по этой кнопке уже запущено.");
    await settle();
    const made = await s.app.db.models.Generation.find({ variation_of: gen.short_id }).lean();
    expect(made.map((g) => [g.template, g.image.file_id])).toEqual([["steam", gen.image.file_id]]);
    expect(acceptedCreates(`${steam.prompt} [Push in]`)).toHaveLength(1);

    // Bad input is a 400; another user's video a 404.
    for (const body of [{ template: "nope" }, {}, { template: 3 }]) {
      expect((await call(`videos/${gen.short_id}/template`, { who: asFay, method: "POST", body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(`videos/${gen.short_id}/template`, { who: asAlice, method: "POST", body: { template: "steam" } })).status).toBe(404);
    // Once delivered, the gallery shows the template's name, not the English prompt.
    const item = await eventually(async () => (await call<Page>("gallery", { who: asFay })).body.items.find((i) => i.id === made[0]!.short_id), 20_000, "the template's video in the gallery");
    expect(item.prompt).toBe("♨️ Пар и тепло");
  });

  it("🎲 3 variants makes the chat's pack: three jobs with three camera moves; the chat's 🎲 under that video then makes nothing more", async () => {
    const erin = user(9504, "en");
    const asErin = { id: erin.userId, language_code: "en" };
    const { gen } = await deliveredVideo(s, erin, "the necklace sparkles on a bust");
    const item = (await call<Page>("gallery", { who: asErin })).body.items[0]!;
    expect(item).toMatchObject({ id: gen.short_id, readsCameraMoves: true });

    const twice = await Promise.all([0, 1].map(() => call<Answer>(`videos/${gen.short_id}/variants`, { who: asErin, method: "POST" })));
    expect(twice.map((r) => r.body.kind)).toContain("started");
    expect(twice.find((r) => r.body.kind === "started")!.body.text).toBe("🎲 Three variants are on their way; follow them in the chat.");
    const pack = await eventually(async () => {
      const members = await s.app.db.models.Generation.find({ variation_of: gen.short_id }).sort({ pack_index: 1 }).lean();
      return members.length === 3 ? members : null;
    }, 5_000, "three variants");
    expect(pack.map((g) => g.pack_move)).toEqual(["Push in", "Truck left", "Static shot"]);
    expect(new Set(pack.map((g) => g.group_id)).size).toBe(1);
    await eventually(() => acceptedCreates(/^the necklace sparkles on a bust \[/).length === 3, 10_000, "three creates");
    expect(acceptedCreates(/^the necklace sparkles on a bust \[/).map((r) => r.body.prompt).sort()).toEqual([
      "the necklace sparkles on a bust [Push in]",
      "the necklace sparkles on a bust [Static shot]",
      "the necklace sparkles on a bust [Truck left]",
    ]);
    // One status message for the pack, in the chat under the video.
    const status = s.tg.messages(erin.chatId).filter((m) => /^🎲 Your 3 variants/.test(m.text ?? ""));
    expect(status).toHaveLength(1);
    expect(status[0]!.reply_to_message?.message_id).toBe(gen.video_message_id);

    // The chat's 🎲 under the same video is the same pack; so is the studio's, once more.
    expect((await press(s.tg, erin, gen.video_message_id!, "🎲 3 variants")).text).toBe("This button has already started the variants.");
    expect((await call<Answer>(`videos/${gen.short_id}/variants`, { who: asErin, method: "POST" })).body.kind).toBe("duplicate");
    await settle();
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: gen.short_id })).toBe(3);
    expect(acceptedCreates(/^the necklace sparkles on a bust/)).toHaveLength(4);
    expect(await s.app.db.models.Ledger.countDocuments({ user_id: erin.userId, kind: "reserve" })).toBe(4);

    // A variant's 📐 on the pack's note and the studio's 📐 on that variant are one video too.
    const note = await eventually(() => s.tg.messages(erin.chatId).find((m) => /^🎲 Your variants are in the album above/.test(m.text ?? "")), 20_000, "the pack's note");
    const first = await eventually(() => s.app.db.models.Generation.findOne({ _id: pack[0]!._id, phase: "delivered" }).lean(), 10_000, "the first variant delivered");
    expect(first!.video_message_id).toBeTruthy();
    await press(s.tg, erin, note.message_id, "📐 Format · 1");
    const picker = await eventually(() => s.tg.messages(erin.chatId).find((m) => /In which shape/.test(m.text ?? "") && m.reply_to_message?.message_id === note.message_id));
    expect((await press(s.tg, erin, picker.message_id, "16:9 · Amazon/YouTube")).text).toBe("🎬 A new video is on its way.");
    const wide = await call<Answer>(`videos/${first!.short_id}/format`, { who: asErin, method: "POST", body: { format: "16:9" } });
    expect(wide.body.kind).toBe("duplicate");
    await settle();
    expect(await s.app.db.models.Generation.find({ variation_of: first!.short_id }).lean()).toMatchObject([{ format: "16:9", pack_move: "Push in" }]);

    // A variant's 🔁 Again on the note and the studio's Again on that variant are one video as well.
    expect((await press(s.tg, erin, note.message_id, "🔁 Again · 1")).text).toBe("🎬 A new video is on its way.");
    const again = await call<Answer>(`videos/${first!.short_id}/again`, { who: asErin, method: "POST" });
    expect(again.body.kind).toBe("duplicate");
    await settle();
    const made = await s.app.db.models.Generation.find({ variation_of: first!.short_id }).lean();
    expect(made.filter((g) => g.format !== "16:9")).toMatchObject([{ pack_move: "Push in", source_message_id: first!.video_message_id }]);
  });

  it("🎲 for a model that reads no camera moves (H3) is refused plainly, and nothing is charged", async () => {
    const fay = user(9505, "en");
    const asFay = { id: fay.userId, language_code: "en" };
    await s.app.db.models.User.updateOne({ _id: fay.userId }, { $set: { settings: { model: "MiniMax-H3", duration: 5, resolution: "768P" } } }, { upsert: true });
    const { gen } = await deliveredVideo(s, fay, "the speaker hums on a desk");
    expect(gen.model).toBe("MiniMax-H3");
    expect((await call<Page>("gallery", { who: asFay })).body.items[0]).toMatchObject({ id: gen.short_id, readsCameraMoves: false });
    const ledgerBefore = await s.app.db.models.Ledger.countDocuments({ user_id: fay.userId });
    const tasksBefore = s.mm.tasks.size;
    const refused = await call<Answer>(`videos/${gen.short_id}/variants`, { who: asFay, method: "POST" });
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ kind: "no-camera", text: "🎲 The variants differ by their camera move, and MiniMax H3 does not support one. No credits were taken." });
    await settle();
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: gen.short_id })).toBe(0);
    expect(await s.app.db.models.Group.countDocuments({ user_id: fay.userId })).toBe(0);
    expect(await s.app.db.models.Ledger.countDocuments({ user_id: fay.userId })).toBe(ledgerBefore);
    expect(s.mm.tasks.size).toBe(tasksBefore);
    // The chat shows no 🎲 under it either.
    expect(buttonLabels(s.tg, fay.chatId, gen.video_message_id!).flat()).not.toContain("🎲 3 variants");
  });

  it("a video past getFile's 20 MB, or sent as a link, streams from MiniMax while it has it; then the page is told it is in the chat", async () => {
    const upload = await deliveredVideo(s, alice, `${BIG_UPLOAD} the bag on a marble floor`);
    const link = await deliveredVideo(s, alice, `${AS_LINK} the sofa in a bright living room`);
    expect(upload.gen.telegram_video_file_id).toBeTruthy();
    expect(link.gen.telegram_video_file_id).toBeFalsy();
    const items = (await call<Page>("gallery", { who: asAlice })).body.items;
    for (const [gen, prompt] of [[upload.gen, `${BIG_UPLOAD} the bag on a marble floor`], [link.gen, `${AS_LINK} the sofa in a bright living room`]] as const) {
      const item = items.find((i) => i.id === gen.short_id)!;
      const bytes = bigVideos.get(prompt)!;
      const part = await media(item.video, { range: "bytes=1000-1999" });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${bytes.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
    }
    // MiniMax no longer has a file: 410, which the page shows as "it is in your chat".
    const gone = await deliveredVideo(s, alice, `${AS_LINK} the chair by the window`);
    s.mm.failNextRetrieve(2013);
    const item = (await call<Page>("gallery", { who: asAlice })).body.items.find((i) => i.id === gone.gen.short_id)!;
    const answer = await media(item.video);
    expect(answer.status).toBe(410);
    expect(await answer.json()).toEqual({ ok: false, error: "in-chat" });
  });

  it("balance, packs and settings: the same ledger and settings as /balance and /settings", async () => {
    const balance = await call<{ balance: number; summary: string; movements: Array<{ change: number; text: string }>; packs: Array<{ credits: number; label: string }> }>("balance", { who: asBob });
    const ledger = await s.app.db.models.Ledger.findOne({ user_id: bob.userId }).sort({ seq: -1 }).lean();
    expect(balance.body.balance).toBe(ledger!.balance);
    expect(balance.body.summary).toMatch(/Ваш баланс/);
    expect(balance.body.movements[0]!.text).not.toMatch(/<code>/);
    expect(balance.body.packs.map((p) => p.label)).toEqual(["10 кредитов · 50 ⭐", "50 кредитов · 200 ⭐"]);

    const link = await call<{ link: string }>("packs/10/invoice", { who: asBob, method: "POST" });
    expect(link.status).toBe(200);
    const created = s.tg.invoiceLinks.find((l) => l.link === link.body.link)!;
    expect(created).toMatchObject({ payload: "credits:10:50", currency: "XTR", total_amount: 50 });
    expect((await call("packs/11/invoice", { who: asBob, method: "POST" })).status).toBe(404);
    // Paid in the Mini App: credited by the bot's successful_payment path, once.
    await s.tg.pay({ ...bob, invoice: created });
    await eventually(async () => (await call<{ balance: number }>("balance", { who: asBob })).body.balance === ledger!.balance + 10, 10_000, "the credits");

    type SettingsView = { settings: Record<string, unknown>; price: string; options: Record<string, Array<{ value: unknown; label: string }>> };
    const settings = await call<SettingsView>("settings", { who: asBob });
    expect(settings.body.settings).toEqual({ model: "MiniMax-Hailuo-02", duration: 6, resolution: "768P", format: "original", promptOptimizer: true, cameraMoves: [], variants: false, albums: "each" });
    expect(settings.body.price).toBe("💳 Видео с этими настройками стоит 1 кредит.");
    expect(settings.body.options.resolutions!.map((r) => r.label)).toEqual(["512P", "768P", "1080P"]);
    expect(settings.body.options.models!.map((m) => m.value)).toEqual(["MiniMax-Hailuo-02", "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-H3"]);
    expect(settings.body.options.formats!.map((f) => f.label)).toContain("9:16 · Reels/TikTok/Shorts");
    const saved = await call<SettingsView>("settings", { who: asBob, method: "PUT", body: { duration: 10, format: "3:4", cameraMoves: ["Zoom in", "Pan left"] } });
    expect(saved.body.settings).toEqual({ model: "MiniMax-Hailuo-02", duration: 10, resolution: "768P", format: "3:4", promptOptimizer: true, cameraMoves: ["Zoom in", "Pan left"], variants: false, albums: "each" });
    expect(saved.body.price).toBe("💳 Видео с этими настройками стоит 2 кредита.");
    expect((await s.app.db.models.User.findById(bob.userId).lean())?.settings).toMatchObject({ duration: 10, format: "3:4", camera_moves: ["Zoom in", "Pan left"] });
    for (const bad of [{ resolution: "1080P" }, { duration: 7 }, { model: "I2V-01" }, { format: "4:5" }, { cameraMoves: ["Zoom in", "Zoom in"] }, { cameraMoves: ["a", "b", "c", "d"] }, { colour: "red" }, { promptOptimizer: "yes" }]) {
      const refused = await call("settings", { who: asBob, method: "PUT", body: bad });
      expect(refused.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await s.app.db.models.User.findById(bob.userId).lean())?.settings).toMatchObject({ duration: 10, resolution: "768P", format: "3:4", camera_moves: ["Zoom in", "Pan left"] });
  });

  it("serves the page with a strict CSP that lets Telegram frame it, and the Studio buttons open it", async () => {
    const page = await fetch(`${s.app.url}/app`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/web\.telegram\.org/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-frame-options")).toBeNull();
    const script = /src="(app\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${s.app.url}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await fetch(`${s.app.url}/app/`, { redirect: "manual" })).headers.get("location")).toBe("/app");

    // The menu button, and a Studio button under every delivered video, opening the page at it.
    expect(s.tg.menuButton()).toEqual({ type: "web_app", text: "🖼 Studio", web_app: { url: TEST_WEBAPP_URL } });
    const { gen } = await deliveredVideo(s, alice, "the mug on a kitchen shelf");
    const message = s.tg.messages(alice.chatId).find((m) => m.message_id === gen.video_message_id)!;
    const rows = (message.reply_markup as { inline_keyboard: Array<Array<{ text: string; web_app?: { url: string } }>> }).inline_keyboard;
    expect(rows.at(-1)).toEqual([{ text: "🖼 Studio", web_app: { url: `${TEST_WEBAPP_URL}?video=${gen.short_id}` } }]);
    // /history opens the studio's gallery.
    await s.tg.deliver(s.tg.textUpdate({ ...alice, text: "/history" }));
    const history = await eventually(() => s.tg.messages(alice.chatId).find((m) => /Your videos, newest first/.test(m.text ?? "")));
    const historyRows = (history.reply_markup as { inline_keyboard: Array<Array<{ text: string; web_app?: { url: string } }>> }).inline_keyboard;
    expect(historyRows.at(-1)).toEqual([{ text: "🖼 Studio", web_app: { url: TEST_WEBAPP_URL } }]);
    // Nothing refused but getFile's documented "file is too big" for the 21 MB video (the studio then asks MiniMax).
    expect(s.tg.rejectedCalls.filter((c) => !(c.method === "getFile" && /file is too big/.test(c.description)))).toEqual([]);
  });
});

describe("studio API: jobs in progress", () => {
  // One create per minute: the second job waits in the queue, cancellable.
  const s = useTestApp("studio-jobs", { mode: "polling", env: { WEBAPP_URL: TEST_WEBAPP_URL, MINIMAX_RPM: "1", MINIMAX_RPM_WINDOW_MS: "60000", MAX_ACTIVE_PER_USER: "5" } });
  const carol = user(9511, "en");
  const asCarol = { id: carol.userId, language_code: "en" };
  const call = <T = Record<string, unknown>>(path: string, opts: Parameters<typeof studioCall>[2] = {}) => studioCall<T>(s.app.url, path, opts);
  interface Jobs {
    jobs: Array<{ id: string; prompt: string; state: string; cancellable: boolean; position: string | null }>;
  }

  it("lists the user's jobs with their state, and Cancel while queued is the chat's Cancel", { timeout: 60_000 }, async () => {
    await s.tg.deliver(photoFrom(s.tg, carol, "first: the phone on a desk").update);
    await taskFor(s.mm, "first: the phone on a desk");
    await s.tg.deliver(photoFrom(s.tg, carol, "second: the tablet on a desk").update);
    const queued = await eventually(async () => {
      const jobs = (await call<Jobs>("jobs", { who: asCarol })).body.jobs;
      return jobs.length === 2 && jobs[0]!.position ? jobs : null;
    }, 10_000, "two jobs, the second in the queue");
    expect(queued.map((j) => [j.prompt, j.state])).toEqual([
      ["second: the tablet on a desk", "🕒 in the queue"],
      ["first: the phone on a desk", "⚙️ in progress"],
    ]);
    expect(queued[0]).toMatchObject({ position: "No. 1", cancellable: true });
    expect(queued[1]!.cancellable).toBe(false);
    expect((await call<Jobs>("jobs", { who: { id: 9512 } })).body.jobs).toEqual([]);

    const tooLate = await call<{ outcome: string }>(`jobs/${queued[1]!.id}/cancel`, { who: asCarol, method: "POST" });
    expect(tooLate.body.outcome).toBe("too_late");
    const cancelled = await call<{ outcome: string; text: string }>(`jobs/${queued[0]!.id}/cancel`, { who: asCarol, method: "POST" });
    expect(cancelled.body).toEqual({ outcome: "cancelled", text: "Cancelled: this job will not be made, and its credits go back to your balance." });
    await eventually(async () => (await call<Jobs>("jobs", { who: asCarol })).body.jobs[0]!.state === "🚫 cancelled", 10_000, "shown cancelled");
    // Its credit is back, and it never reaches MiniMax.
    await eventually(() => s.app.db.models.Ledger.exists({ user_id: carol.userId, kind: "release" }), 10_000, "the credit released");
    expect([...s.mm.tasks.values()].map((t) => t.prompt)).toEqual(["first: the phone on a desk"]);
  });
});
