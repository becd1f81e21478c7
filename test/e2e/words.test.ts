/**
 * Issue 21 through the real bot and the fake Bot API (polling mode): every button the bot renders,
 * in both languages and in the states a seller reaches, fits a phone (locales/README.md: 28
 * characters alone in a row, 18 each in a row of two, 12 each in a row of three, an emoji counting
 * as one); no text leaves a Fluent placeable unfilled; and a job that ends without a video says
 * where its credits went, as the ledger has it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, buttonLabels, photoFrom, press, taskFor, user, type TestUser } from "../support/scenario.js";

const LIMIT_PER_ROW: Record<number, number> = { 1: 28, 2: 18, 3: 12 };
/** What a reader counts: one per character or emoji ("✍️", a flag and "✅" are one each). */
const length = (label: string) => [...new Intl.Segmenter().segment(label)].length;

type Keyboard = string[][];
/** Every inline keyboard the bot sent or edited into `chatId`, in order: each state it rendered. */
function keyboardsIn(tg: FakeTelegram, chatId: number): Keyboard[] {
  return tg.calls
    .filter((c) => c.params.chat_id === chatId && c.params.reply_markup !== undefined && !c.error)
    .map((c) => {
      const markup = typeof c.params.reply_markup === "string" ? JSON.parse(c.params.reply_markup) : c.params.reply_markup;
      return ((markup as { inline_keyboard?: Array<Array<{ text: string }>> }).inline_keyboard ?? []).map((row) => row.map((b) => b.text));
    })
    .filter((rows) => rows.length > 0);
}
/** Labels too long for their row, as "label (n > limit)". */
const tooLong = (keyboards: Keyboard[]) =>
  keyboards.flatMap((rows) => rows.flatMap((row) => row.filter((label) => length(label) > LIMIT_PER_ROW[Math.min(row.length, 3)]!).map((label) => `${label} (${length(label)} in a row of ${row.length})`)));
/** Every text the bot sent or edited into `chatId`, captions and the answers to its buttons included. */
const textsIn = (tg: FakeTelegram, chatId: number) => [
  ...tg.calls.filter((c) => c.params.chat_id === chatId).flatMap((c) => [c.params.text, c.params.caption]).filter((t): t is string => typeof t === "string"),
  ...tg.callbackAnswers.map((a) => a.text ?? ""),
];

describe("buttons that fit a phone, and texts with every placeable filled (both languages)", () => {
  const BIG = "big:"; // videos for these prompts are over the upload limit: they go out as a link
  const s = useTestApp("words", { mode: "polling", env: { MINIMAX_RPM: "100", MAX_ACTIVE_PER_USER: "10", TELEGRAM_UPLOAD_LIMIT_MB: "1", FREE_CREDITS: "100" } });
  beforeAll(() => s.mm.autoComplete({ afterMs: 30, video: (task) => makeMp4({ payloadBytes: task.prompt?.startsWith(BIG) ? 1_200_000 : 20_000 }) }));

  const labels = (who: TestUser, messageId: number) => buttonLabels(s.tg, who.chatId, messageId);
  /** Presses the button at (row, column) of a message and waits until its labels have changed. */
  async function tap(who: TestUser, messageId: number, row: number, column: number) {
    const before = JSON.stringify(labels(who, messageId));
    const label = labels(who, messageId)[row]![column]!;
    await press(s.tg, who, messageId, label);
    await s.tg.waitFor(() => JSON.stringify(labels(who, messageId)) !== before, 10_000, `the keyboard after "${label}"`);
    return label;
  }
  /** Sends a command and returns the bot's first later message that matches. */
  async function ask(who: TestUser, text: string, match: RegExp) {
    const asked = s.tg.textUpdate({ ...who, text });
    await s.tg.deliver(asked);
    const after = asked.message!.message_id;
    return s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.message_id > after && match.test(m.text ?? m.caption ?? "")), 10_000, `the answer to ${text}`);
  }
  /** Sends a photo and waits for its delivered video (or link). */
  async function videoFor(who: TestUser, caption: string) {
    const sent = photoFrom(s.tg, who, caption);
    await s.tg.deliver(sent.update);
    await eventually(() => s.app.db.models.Generation.findOne({ chat_id: who.chatId, user_prompt: caption, phase: "delivered" }), 15_000, "delivered");
    return s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === sent.messageId && (m.video || /https?:\/\//.test(m.text ?? ""))), 5_000, "the video");
  }

  const LANGUAGES = [
    { code: "en", id: 9901, count: "🎥 Camera: 3 moves", price: /costs 2 credits\.$/m, mb: /is 1\.1 MB, more than/, prompt: "the kettle steams on a wooden table, soft light; " },
    { code: "ru", id: 9902, count: "🎥 Камера: 3 движения", price: /стоит 2 кредита\.$/m, mb: /весит 1,1 МБ — больше/, prompt: "чайник стоит на деревянном столе, мягкий свет; " },
  ] as const;

  for (const lang of LANGUAGES) {
    it(`${lang.code}: settings with three moves, the camera picker with ✅ marks, a 2000-character prompt in /history, the video buttons, Cancel and the menus`, { timeout: 90_000 }, async () => {
      const who = user(lang.id, lang.code);

      // /settings: a choice in every row, then three of the longest moves; the camera button counts them.
      const menu = await ask(who, "/settings", /⚙️/);
      await tap(who, menu.message_id, 1, 1); // 10 s
      await s.tg.waitFor(() => lang.price.test(s.tg.messages(who.chatId).find((m) => m.message_id === menu.message_id)?.text ?? ""), 10_000, "the price of 10 s in the text");
      await tap(who, menu.message_id, 2, 0); // 512P
      await tap(who, menu.message_id, 4, 0); // auto-enhance off
      await tap(who, menu.message_id, 5, 0); // the camera moves
      for (const [row, column] of [[4, 1], [2, 1], [3, 1]] as const) await tap(who, menu.message_id, row, column);
      const picked = labels(who, menu.message_id).flat().filter((l) => l.startsWith("✅ "));
      expect(picked).toHaveLength(3);
      await tap(who, menu.message_id, labels(who, menu.message_id).length - 1, 1); // back
      expect(labels(who, menu.message_id)[5]).toEqual([lang.count]);
      // The models (their list in the text), and the formats with the longest one ticked, then Original again.
      await tap(who, menu.message_id, 0, 0);
      await tap(who, menu.message_id, labels(who, menu.message_id).length - 1, 0); // back
      await tap(who, menu.message_id, 3, 0);
      await tap(who, menu.message_id, 2, 0); // 9:16 · Reels/TikTok/Shorts
      await tap(who, menu.message_id, 0, 0); // Original
      await tap(who, menu.message_id, labels(who, menu.message_id).length - 1, 0); // back

      // A 2000-character prompt (the moves no longer fit beside it, so it goes as written), and a link-sized video.
      const long = `${lang.prompt.repeat(60).slice(0, 1999)}.`;
      const video = await videoFor(who, long);
      expect(labels(who, video.message_id)).toHaveLength(4);
      const link = await videoFor(who, `${BIG} ${lang.prompt}`.trim());
      expect(link.text).toMatch(lang.mb);

      // The picker under the video: three moves ticked, then the row that makes the video.
      // The formats under the video (looked at, not picked).
      await press(s.tg, who, video.message_id, labels(who, video.message_id)[1]![0]!);
      await s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === video.message_id && /📐/.test(m.text ?? "")), 10_000, "the formats");
      const pickerAsked = await press(s.tg, who, video.message_id, labels(who, video.message_id)[2]![0]!);
      expect(pickerAsked).toBeDefined();
      const picker = await s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === video.message_id && /🎥/.test(m.text ?? "")), 10_000, "the picker");
      for (const [row, column] of [[4, 1], [2, 1], [3, 1]] as const) await tap(who, picker.message_id, row, column);
      expect(labels(who, picker.message_id).flat().filter((l) => l.startsWith("✅ "))).toHaveLength(3);
      expect(labels(who, picker.message_id).at(-1)).toHaveLength(1); // 🎬 Make the video, alone

      // /history over two pages: five more delivered copies of the long one.
      const original = (await s.app.db.models.Generation.findOne({ chat_id: who.chatId, user_prompt: long }).lean())!;
      const copy: Record<string, unknown> = { ...original };
      delete copy._id;
      delete copy.minimax_job_id; // unique
      for (let i = 0; i < 5; i++) {
        const createdAt = new Date(original.created_at!.getTime() - (i + 1) * 60_000); // older than both videos
        await s.app.db.models.Generation.collection.insertOne({ ...copy, short_id: `${lang.code}cop${i}x`, source_message_id: 900_000 + i, created_at: createdAt });
      }
      const history = await ask(who, "/history", /🎞/);
      const items = labels(who, history.message_id).slice(0, -1).flat();
      expect(items.some((l) => l.startsWith("🎬 ") && l.endsWith("…") && length(l) <= 28)).toBe(true);
      expect(items.some((l) => l.startsWith("🔗 "))).toBe(true);
      await tap(who, history.message_id, labels(who, history.message_id).length - 1, 0); // older
      expect(labels(who, history.message_id).at(-1)!.length).toBeGreaterThanOrEqual(1);

      // The menus and answers without keyboards of their own, for their texts.
      await ask(who, "/language", /🌐/);
      await ask(who, "/balance", /💳/);
      await ask(who, "/help", /📸/);
      await ask(who, "/start", /👋/);
      await ask(who, "/buy", /⭐/);

      const keyboards = keyboardsIn(s.tg, who.chatId);
      // The states this test means to have seen, so a silent change cannot make it pass by seeing less.
      const all = keyboards.flat(2);
      expect(all).toContain(lang.count);
      expect(all).toContain("✅ 9:16 · Reels/TikTok/Shorts"); // the longest label, ticked
      expect(all.filter((l) => l.startsWith("🤖 "))).not.toHaveLength(0);
      expect(all.filter((l) => l.startsWith("✖️"))).not.toHaveLength(0); // Cancel under a status message
      expect(all).toEqual(expect.arrayContaining(["🇷🇺 Русский", "🇬🇧 English"]));
      expect(keyboards.some((rows) => rows.flat().filter((l) => l.startsWith("✅ ")).length === 3 && rows.length === 8)).toBe(true); // the picker, full
      expect(keyboards.length).toBeGreaterThanOrEqual(15);
      expect(tooLong(keyboards)).toEqual([]);

      const texts = textsIn(s.tg, who.chatId);
      expect(texts.filter((t) => /\{\$|\{[a-z]+(-[a-z_]+)+\}/.test(t))).toEqual([]);
      expect(s.tg.rejectedCalls).toEqual([]);
    });
  }

  it("the command menu uses the glossary in Russian: «Статус задач», «Готовые видео», «Купить кредиты за звёзды»", () => {
    const ru = s.tg.myCommands({ type: "default" }, "ru").map((c) => c.description);
    expect(ru).toEqual(expect.arrayContaining(["Статус задач", "Готовые видео", "Купить кредиты за звёзды", "Баланс и операции"]));
    const en = s.tg.myCommands().map((c) => c.description);
    expect(en).toEqual(expect.arrayContaining(["Status of your jobs", "Finished videos", "Buy credits with Telegram Stars"]));
  });
});

describe("every ending names its credits, as the ledger has them (polling)", () => {
  // Delivery gives up after about a second and a half: a video Telegram keeps refusing ends undelivered.
  const s = useTestApp("endings", { mode: "polling", env: { MINIMAX_RPM: "100", DELIVERY_TIMEOUT_MIN: "0.025", RETRY_BASE_MS: "50" } });
  const ledgerOf = (shortId: string) => s.app.db.models.Ledger.find({ short_id: shortId }).sort({ seq: 1 }).lean();

  it("English: MiniMax refuses the photo → the reservation is released and the reply says the credits are back", async () => {
    const en = user(9911, "en");
    await s.tg.deliver(photoFrom(s.tg, en, "refused: a lamp glows").update);
    const task = await taskFor(s.mm, "refused: a lamp glows");
    await s.mm.fail(task.taskId, 1026);
    const notice = await botMessage(s.tg, en.chatId, /declined the photo/);
    expect(notice.text).toMatch(/Your credits are back/);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: en.chatId, phase: "failed" }).lean(), 10_000, "failed");
    expect((await ledgerOf(gen.short_id)).map((e) => e.kind)).toEqual(["reserve", "release"]);
  });

  it("Russian: MiniMax made the video but Telegram never took it → the credits stay charged, and the reply says so", { timeout: 60_000 }, async () => {
    const ru = user(9912, "ru");
    s.tg.failNext("sendVideo", { error_code: 500, description: "Internal Server Error" }, 1_000);
    const sent = photoFrom(s.tg, ru, "не доставлено: лампа светится");
    await s.tg.deliver(sent.update);
    const task = await taskFor(s.mm, "не доставлено: лампа светится");
    await s.mm.succeed(task.taskId, makeMp4({ payloadBytes: 20_000 }));
    // Both the reply and the status message (edited by the progress updater) end with the same words.
    const replies = () => s.tg.messages(ru.chatId).filter((m) => m.reply_to_message?.message_id === sent.messageId);
    const endings = await s.tg.waitFor(() => replies().filter((m) => /MiniMax сделал видео/.test(m.text ?? "")).length === 2 && replies(), 30_000, "the reply and the status message");
    for (const m of endings) {
      expect(m.text).toMatch(/Кредиты за него списаны/);
      expect(m.text).not.toMatch(/вернулись/);
    }
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: ru.chatId, phase: "failed" }).lean(), 10_000, "failed");
    expect(gen.error_code).toBe("undelivered");
    expect((await ledgerOf(gen.short_id)).map((e) => e.kind)).toEqual(["reserve", "capture"]);
    expect(s.tg.videosSent(ru.chatId)).toHaveLength(0);
  });
});
