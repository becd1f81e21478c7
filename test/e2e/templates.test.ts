/**
 * Templates (issue 28) through the real app, the fake Bot API and the fake MiniMax: a seller who
 * sends a photo without a caption picks a template and gets the job at once, with the same price
 * line, reservation and exactly-once keys as a caption.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import { eventually, type TestApp } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, buttonLabels, press, pressUpdate, user, type TestUser } from "../support/scenario.js";
import { makeCornerPhoto } from "../support/images.js";

const settle = (ms = 800) => new Promise((r) => setTimeout(r, ms));
const ledgerOf = (app: TestApp, userId: number) => app.db.models.Ledger.find({ user_id: userId }).sort({ seq: 1 }).lean();
/** The bot's reply to message `messageId` whose text matches. */
const replyTo = (tg: FakeTelegram, who: TestUser, messageId: number, match: RegExp) =>
  tg.waitFor(() => tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === messageId && match.test(m.text ?? "")), 10_000, `a reply matching ${match}`);
// A real JPEG: a template suggests a format, and the photo is fitted to it before it goes to MiniMax.
const photo = await makeCornerPhoto(1280, 720);
/** A photo without a caption. */
function photoFrom(tg: FakeTelegram, who: TestUser) {
  const update = tg.photoUpdate({ ...who, photo: tg.addPhoto(photo, 1280, 720) });
  return { update, messageId: update.message!.message_id };
}
let groups = 0;
function albumOf(tg: FakeTelegram, who: TestUser, count: number): Update[] {
  const mediaGroupId = `2468101214161${String(++groups).padStart(4, "0")}`;
  return Array.from({ length: count }, () => tg.photoUpdate({ ...who, mediaGroupId, photo: tg.addPhoto(photo, 1280, 720) }));
}

describe("templates (polling mode)", () => {
  const s = useTestApp("templates", { mode: "polling", env: { MINIMAX_RPM: "100", FREE_CREDITS: "10", ADMIN_USER_IDS: "9907" } });
  const library = () => s.app.config.templates;
  const turntable = () => library().templates.find((t) => t.id === "turntable")!;

  it("English: a photo without a caption offers six templates and More; a press (twice, and redelivered) makes one job with the template's prompt and moves, one status message with the price, one charge", async () => {
    const { tg, mm, app } = s;
    mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 20_000 }) });
    const en = user(9901, "en");
    const sent = photoFrom(tg, en);
    await tg.deliver(sent.update);
    const ask = await replyTo(tg, en, sent.messageId, /What should move\?/);
    expect(ask.text).toContain("🧩 Or pick a ready-made template, and I'll start at once:");
    const rows = buttonLabels(tg, en.chatId, ask.message_id);
    const picks = rows.flat().filter((l) => l !== "🧩 More templates…");
    expect(picks.length).toBeGreaterThanOrEqual(6);
    expect(rows.at(-1)).toEqual(["🧩 More templates…"]);
    // A new user, nobody's favourites yet: the library's order, without the one written for two photos.
    expect(picks).toEqual(["🔄 360° turntable", "💡 Light sweep", "🎯 Slow push-in", "🪄 Levitation", "🤲 Hand-held demo", "📦 Unboxing"]);

    const tap = pressUpdate(tg, en, ask.message_id, "🔄 360° turntable");
    const second = pressUpdate(tg, en, ask.message_id, "🔄 360° turntable");
    await Promise.all([tg.deliver(tap), tg.deliver(second), tg.deliver(tap)]);
    const prompt = `${turntable().prompt} [Static shot]`;
    await eventually(() => mm.createRequests.find((r) => r.body.prompt === prompt), 10_000, "the template's create");
    await tg.waitFor(() => tg.callbackAnswers.some((a) => a.callback_query_id === second.callback_query!.id));
    await eventually(() => tg.videosSent(en.chatId).length === 1, 10_000, "the video");
    await settle();

    expect(mm.createRequests.filter((r) => r.body.prompt === prompt)).toHaveLength(1);
    const gens = await app.db.models.Generation.find({ user_id: en.userId }).lean();
    expect(gens).toHaveLength(1);
    expect(gens[0]).toMatchObject({ template: "turntable", user_prompt: turntable().prompt, camera_moves: ["Static shot"], source_message_id: sent.messageId, format: "1:1", duration: 6 });
    // The status message answers the photo, with the price line; the question names the template and keeps no buttons.
    const statuses = tg.messages(en.chatId).filter((m) => m.reply_to_message?.message_id === sent.messageId && /Job \w{7}/.test(m.text ?? ""));
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.text).toMatch(/Price: 1 credit/);
    expect(tg.messages(en.chatId).find((m) => m.message_id === ask.message_id)!.text).toBe("🧩 Template: 🔄 360° turntable");
    expect(buttonLabels(tg, en.chatId, ask.message_id)).toEqual([]);
    expect((await ledgerOf(app, en.userId)).map((e) => [e.kind, e.credits])).toEqual([["welcome", 10], ["reserve", -1], ["capture", 0]]);
    expect(tg.callbackAnswers.filter((a) => a.text === "This button has already started a video.").length).toBeGreaterThanOrEqual(1);
    // The photo no longer waits: a text now is not a description.
    expect((await app.db.models.User.findById(en.userId).lean())?.pending_photo).toBeFalsy();

    // History and /status show the template's name, not its English prompt.
    await tg.deliver(tg.textUpdate({ ...en, text: "/history" }));
    const history = await botMessage(tg, en.chatId, /Your videos/);
    expect(buttonLabels(tg, en.chatId, history.message_id)[0]![0]).toMatch(/· 🔄 360° turntable$/);
    await tg.deliver(tg.textUpdate({ ...en, text: `/status ${gens[0]!.short_id}` }));
    const status = await botMessage(tg, en.chatId, new RegExp(`${gens[0]!.short_id}.*\\n?.*360° turntable`, "s"));
    expect(status.text).not.toContain("turntable and rotates");
    mm.autoComplete(null);
    // Only the redelivered press's second answer, which Telegram refuses and the bot expects it to.
    expect(tg.rejectedCalls.filter((c) => (c.params as { callback_query_id?: string }).callback_query_id !== tap.callback_query!.id)).toEqual([]);
    tg.rejectedCalls.length = 0;
  });

  it("English: 🧩 Template under the video makes the same photo with another template, once however often it is pressed; /metrics and /stats count templates", async () => {
    const { tg, mm, app } = s;
    const en = user(9901, "en");
    const original = (await app.db.models.Generation.findOne({ user_id: en.userId, template: "turntable" }).lean())!;
    const video = tg.videosSent(en.chatId)[0]!.message;
    expect(buttonLabels(tg, en.chatId, video.message_id)).toEqual([["🔁 Again", "🎲 3 variants"], ["📐 Format", "🧩 Template"], ["🎥 Another camera move"], ["✍️ New description"]]);
    await press(tg, en, video.message_id, "🧩 Template");
    const picker = await replyTo(tg, en, video.message_id, /Which template should I make this photo with\?/);
    await press(tg, en, picker.message_id, "🧩 More templates…");
    await tg.waitFor(() => /Templates · Any product \(1 of 6\)/.test(tg.messages(en.chatId).find((m) => m.message_id === picker.message_id)!.text ?? ""));
    await press(tg, en, picker.message_id, "Electronics ▶️");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, picker.message_id).flat().includes("Beauty ▶️"));
    await press(tg, en, picker.message_id, "Beauty ▶️");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, picker.message_id).flat().includes("💦 Liquid splash"));
    const one = pressUpdate(tg, en, picker.message_id, "💦 Liquid splash");
    const two = pressUpdate(tg, en, picker.message_id, "💦 Liquid splash");
    await Promise.all([tg.deliver(one), tg.deliver(two)]);
    const splash = library().templates.find((t) => t.id === "liquid-splash")!;
    await eventually(() => mm.createRequests.find((r) => r.body.prompt === `${splash.prompt} [Static shot]`), 10_000, "the splash create");
    await tg.waitFor(() => [one, two].every((u) => tg.callbackAnswers.some((a) => a.callback_query_id === u.callback_query!.id)));
    await settle();
    const made = await app.db.models.Generation.find({ variation_of: original.short_id }).lean();
    expect(made).toHaveLength(1);
    // The video's own format and length: only the description and the camera change.
    expect(made[0]).toMatchObject({ template: "liquid-splash", image: { file_id: original.image.file_id }, format: original.format, duration: original.duration, camera_moves: ["Static shot"] });
    expect(tg.callbackAnswers.filter((a) => [one, two].some((u) => u.callback_query!.id === a.callback_query_id)).map((a) => a.text).sort()).toEqual([
      "This button has already started a video.",
      "🧩 💦 Liquid splash: the video is on its way.",
    ]);

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^astrolus_generations_total\{template="turntable"\} 1$/m);
    expect(metrics).toMatch(/^astrolus_generations_total\{template="liquid-splash"\} 1$/m);
    const admin = user(9907, "en");
    await tg.deliver(tg.textUpdate({ ...admin, text: "/stats" }));
    const stats = await botMessage(tg, admin.chatId, /Top templates, last 7 days/);
    expect(stats.text).toContain("🧩 Top templates, last 7 days: liquid-splash 1, turntable 1");
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("a typed description still works after the templates were offered", async () => {
    const { tg, mm } = s;
    const en = user(9902, "en");
    const sent = photoFrom(tg, en);
    await tg.deliver(sent.update);
    await replyTo(tg, en, sent.messageId, /What should move\?/);
    await tg.deliver(tg.textUpdate({ ...en, text: "the kettle steams" }));
    await eventually(() => mm.createRequests.find((r) => r.body.prompt === "the kettle steams"), 10_000, "the typed description's create");
    expect((await s.app.db.models.Generation.findOne({ user_id: en.userId }).lean())?.template).toBeUndefined();
  });

  it("an album without a caption takes one template for all its photos: three jobs, one status message", async () => {
    const { tg, mm, app } = s;
    const en = user(9903, "en");
    const parts = albumOf(tg, en, 3);
    for (const u of parts) await tg.deliver(u);
    const first = parts[0]!.message!.message_id;
    const ask = await replyTo(tg, en, first, /album of 3 photos/);
    const pressed = await press(tg, en, ask.message_id, "💡 Light sweep");
    expect(pressed.text).toBe("🧩 💡 Light sweep: the video is on its way.");
    await press(tg, en, ask.message_id, /Light sweep/).catch(() => undefined); // the buttons are gone; nothing more may start
    const sweep = library().templates.find((t) => t.id === "light-sweep")!;
    await eventually(() => mm.createRequests.filter((r) => r.body.prompt === `${sweep.prompt} [Static shot]`).length === 3, 15_000, "three creates");
    await settle();
    const gens = await app.db.models.Generation.find({ user_id: en.userId }).lean();
    expect(gens.map((g) => g.template)).toEqual(["light-sweep", "light-sweep", "light-sweep"]);
    expect(new Set(gens.map((g) => g.source_message_id))).toEqual(new Set(parts.map((u) => u.message!.message_id)));
    expect(tg.messages(en.chatId).filter((m) => /^📚 Your album/.test(m.text ?? ""))).toHaveLength(1);
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("Russian: /templates pages by category; a pick with no recent photo asks for one, and the next photo without a caption is made with it", async () => {
    const { tg, mm, app } = s;
    const ru = user(9904, "ru");
    await tg.deliver(tg.textUpdate({ ...ru, text: "/templates" }));
    const list = await botMessage(tg, ru.chatId, /Шаблоны · Любой товар \(1 из 6\)/);
    expect(list.text).toContain("• <b>🔄 Поворот 360°</b>: Товар делает полный оборот".replace(/<\/?b>/g, ""));
    expect(buttonLabels(tg, ru.chatId, list.message_id).at(-1)).toEqual(["◀️ Дом и кухня", "Электроника ▶️"]);
    await press(tg, ru, list.message_id, "Электроника ▶️");
    await tg.waitFor(() => /Электроника \(2 из 6\)/.test(tg.messages(ru.chatId).find((m) => m.message_id === list.message_id)!.text ?? ""));
    expect(buttonLabels(tg, ru.chatId, list.message_id)).toEqual([["🤲 Товар в руке", "📦 Распаковка"], ["📱 Экран загорается"], ["◀️ Любой товар", "Косметика ▶️"]]);
    await press(tg, ru, list.message_id, "◀️ Любой товар");
    await tg.waitFor(() => /Любой товар \(1 из 6\)/.test(tg.messages(ru.chatId).find((m) => m.message_id === list.message_id)!.text ?? ""));

    await press(tg, ru, list.message_id, "🎯 Плавный наезд");
    await botMessage(tg, ru.chatId, /Теперь пришлите фото товара без подписи/);
    expect(await app.db.models.Generation.countDocuments({ user_id: ru.userId })).toBe(0);
    const sent = photoFrom(tg, ru);
    await tg.deliver(sent.update);
    const pushIn = library().templates.find((t) => t.id === "push-in")!;
    await eventually(() => mm.createRequests.find((r) => r.body.prompt === `${pushIn.prompt} [Push in]`), 10_000, "the push-in create");
    const status = await replyTo(tg, ru, sent.messageId, /Задача \w{7}/);
    expect(status.text).toMatch(/Цена: 1 кредит/);
    // No question about the photo: the template was chosen already.
    expect(tg.messages(ru.chatId).some((m) => /Что должно двигаться/.test(m.text ?? ""))).toBe(false);

    // A pick within 30 minutes of a photo uses that photo at once, keyed by the photo and the template.
    await press(tg, ru, list.message_id, "🪄 Левитация");
    const levitation = library().templates.find((t) => t.id === "levitation")!;
    const create = await eventually(() => mm.createRequests.find((r) => r.body.prompt === `${levitation.prompt} [Static shot]`), 10_000, "the levitation create");
    expect(create.outcome).toBe("accepted");
    const made = await app.db.models.Generation.find({ user_id: ru.userId }).sort({ created_at: 1 }).lean();
    expect(made.map((g) => [g.template, g.image.file_id, g.format])).toEqual([
      ["push-in", made[0]!.image.file_id, "3:4"],
      ["levitation", made[0]!.image.file_id, "9:16"], // the same photo, in the template's suggested format
    ]);
    expect(tg.rejectedCalls).toEqual([]);
  });
});
