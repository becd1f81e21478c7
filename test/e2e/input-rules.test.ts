/**
 * Bad input gets one clear reply and never reaches MiniMax; good input in its less common shapes
 * (an image sent as a file, a photo whose prompt comes in the next message) does, byte for byte.
 * Polling mode: `tg.deliver(update)` queues the update for the bot's long poll.
 */
import type { Message, Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { makePng, type CreateRecord } from "../support/fake-minimax.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { makeJpeg } from "../support/images.js";
import { sha256 } from "../support/scenario.js";

const msgId = (u: Update) => u.message!.message_id;
/**
 * A number as the bot's texts print it: Fluent formats numbers for the user's locale, so 2000 may
 * read "2,000" (en) or "2 000" (ru). Matches any of those, and nothing else.
 */
const num = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, "[,.\u00a0\u202f ]?");

/** Starts fakes and one polling app; returns accessors plus the helpers every test here uses. */
function pollingSuite(label: string, env: Record<string, string> = {}) {
  const s = useTestApp(label, { mode: "polling", env });
  afterEach(() => {
    // Nothing the bot sent was refused by Telegram (bad HTML, unknown parameters, missing reply target).
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  /** The bot's message answering `update` (a reply to it), once it arrives. */
  const replyTo = (update: Update, timeoutMs = 10_000): Promise<Message> => {
    const chatId = update.message!.chat.id;
    const id = msgId(update);
    return s.tg.waitFor(() => s.tg.messages(chatId).find((m) => m.reply_to_message?.message_id === id), timeoutMs, `reply to message ${id} in chat ${chatId}`);
  };

  /**
   * Waits until every update sent to this chat so far has been fully handled: grammY's long polling
   * handles updates one at a time, in order, so once a later /help is answered, all before it are done.
   */
  const settle = async (chatId: number) => {
    const marker = s.tg.textUpdate({ chatId, text: "/help" });
    await s.tg.deliver(marker);
    await replyTo(marker);
  };

  /** Bot messages in a chat, minus the /help answers settle() caused. */
  const botTexts = (chatId: number) =>
    s.tg
      .messages(chatId)
      .map((m) => m.text ?? m.caption ?? "")
      .filter((t) => !t.startsWith("📸 Send one product photo"));

  /** Creates that carried a prompt this test chose (so parallel tests in the suite don't mix). */
  const createsWithPrompt = (prefix: string): CreateRecord[] =>
    s.mm.createRequests.filter((r) => typeof r.body.prompt === "string" && r.body.prompt.startsWith(prefix));

  return { s, replyTo, settle, botTexts, createsWithPrompt };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────

describe("input the bot refuses (polling)", () => {
  const { s, replyTo, settle, botTexts } = pollingSuite("inputbad");

  /**
   * Delivers `update`, checks the one reply it gets, then proves nothing else came of it: no second
   * message, no generation stored, no create at MiniMax.
   */
  async function expectRefused(update: Update, expected: RegExp, also: RegExp[] = []): Promise<Message> {
    const chatId = update.message!.chat.id;
    await s.tg.deliver(update);
    const reply = await replyTo(update);
    expect(reply.text).toMatch(expected);
    for (const re of also) expect(reply.text).toMatch(re);
    await settle(chatId);
    expect(botTexts(chatId)).toEqual([reply.text]);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: chatId })).toBe(0);
    expect(s.mm.createRequests).toEqual([]);
    return reply;
  }

  it("plain text with no photo waiting gets the explanation of what the bot takes", async () => {
    await expectRefused(s.tg.textUpdate({ chatId: 7101, text: "make me a video of a red sneaker" }), /I make videos from product photos/);
  });

  it("a sticker, a video (even with a caption) and a voice message are refused the same way", async () => {
    await expectRefused(s.tg.stickerUpdate({ chatId: 7102 }), /I make videos from product photos/);
    await expectRefused(s.tg.videoUpdate({ chatId: 7103, caption: "the sneaker turns slowly" }), /I make videos from product photos/);
    await expectRefused(s.tg.voiceUpdate({ chatId: 7104 }), /I make videos from product photos/);
  });

  it("a PDF document is refused as the wrong type and is never downloaded", async () => {
    const doc = s.tg.addDocument(Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\n"), { fileName: "catalog.pdf", mimeType: "application/pdf" });
    const downloadsBefore = s.tg.fileDownloads.length;
    await expectRefused(s.tg.documentUpdate({ chatId: 7105, document: doc, caption: "the sneaker turns slowly" }), /JPEG, PNG or WebP/);
    expect(s.tg.fileDownloads.length).toBe(downloadsBefore);
  });

  it("a document that claims image/png but holds no image is refused as unreadable", async () => {
    const doc = s.tg.addDocument(Buffer.from("this is not a PNG at all, just text pretending ".repeat(20)), {
      fileName: "product.png",
      mimeType: "image/png",
    });
    await expectRefused(s.tg.documentUpdate({ chatId: 7106, document: doc, caption: "the bottle rotates" }), /couldn't read this file as an image/);
  });

  it("a 200×200 photo is refused as too small, naming its size and the 300 px rule", async () => {
    const photo = s.tg.addPhoto(makeJpeg(200, 200), 200, 200);
    await expectRefused(s.tg.photoUpdate({ chatId: 7107, photo, caption: "the mug spins" }), /300 px/, [new RegExp(`${num(200)}×${num(200)} px`)]);
  });

  it("a 2000×500 panorama is refused as too stretched", async () => {
    const photo = s.tg.addPhoto(makeJpeg(2000, 500), 2000, 500);
    await expectRefused(s.tg.photoUpdate({ chatId: 7108, photo, caption: "the bench glides" }), /too stretched: one side may be at most 2.5 times the other/, [new RegExp(`${num(2000)}×${num(500)} px`), /5:2/]);
  });

  it("a caption over 2000 characters is refused, naming the limit, and the photo is not parked either", async () => {
    const photo = s.tg.addPhoto(makeJpeg(1024, 768), 1024, 768);
    const caption = "the sneaker turns slowly ".repeat(81).slice(0, 2001);
    expect([...caption]).toHaveLength(2001);
    await expectRefused(s.tg.photoUpdate({ chatId: 7109, photo, caption }), new RegExp(`at most ${num(2000)}\\.`), [new RegExp(`has ${num(2001)} characters`)]);
    const user = await s.app.db.models.User.findById(7109);
    expect(user?.pending_photo ?? undefined).toBeUndefined();
  });

  it("/start and /help answer in English, and in Russian for language_code ru", async () => {
    const en = s.tg.textUpdate({ chatId: 7111, text: "/start" });
    await s.tg.deliver(en);
    expect((await replyTo(en)).text).toMatch(/^👋 Hi! I'm Astrolus/);

    const enHelp = s.tg.textUpdate({ chatId: 7111, text: "/help" });
    await s.tg.deliver(enHelp);
    const help = (await replyTo(enHelp)).text!;
    expect(help).toMatch(/^📸 Send one product photo/);
    // Config values are filled in, and the escaped "<id>" arrives as literal text.
    expect(help).toContain("Videos are made with MiniMax-Hailuo-02, 6 s at 768P;");
    expect(help).toContain("up to 10 jobs");
    expect(help).toContain("/status <id>");

    const ru = s.tg.textUpdate({ chatId: 7112, languageCode: "ru", text: "/start" });
    await s.tg.deliver(ru);
    expect((await replyTo(ru)).text).toMatch(/^👋 Привет! Я Astrolus/);
    const ruHelp = s.tg.textUpdate({ chatId: 7112, languageCode: "ru", text: "/help" });
    await s.tg.deliver(ruHelp);
    const helpRu = (await replyTo(ruHelp)).text!;
    expect(helpRu).toMatch(/^📸 Пришлите одно фото товара/);
    expect(helpRu).toContain("описание до 2000 символов");

    // A regional variant is still Russian; an unsupported language falls back to English.
    const ruRu = s.tg.textUpdate({ chatId: 7113, languageCode: "ru-RU", text: "/start" });
    await s.tg.deliver(ruRu);
    expect((await replyTo(ruRu)).text).toMatch(/^👋 Привет!/);
    const de = s.tg.textUpdate({ chatId: 7114, languageCode: "de", text: "/start" });
    await s.tg.deliver(de);
    expect((await replyTo(de)).text).toMatch(/^👋 Hi!/);
    expect(s.mm.createRequests).toEqual([]);
  });

  it("a Russian user is refused in Russian", async () => {
    const update = s.tg.stickerUpdate({ chatId: 7115, languageCode: "ru" });
    await s.tg.deliver(update);
    expect((await replyTo(update)).text).toMatch(/^🤖 Я делаю видео из фото товаров/);
  });

  it("/status for a user with no jobs says so", async () => {
    await expectRefused(s.tg.textUpdate({ chatId: 7116, text: "/status" }), /^You have no jobs yet/);
  });

  it("/status with an id that is not one of the user's jobs (HTML in it included) says not found, escaped", async () => {
    const reply = await expectRefused(s.tg.textUpdate({ chatId: 7117, text: "/status <b>abc</b>" }), /can't find a job/);
    // The id is echoed as text (escaped HTML, not markup), so Telegram accepted the message.
    expect(reply.text).toContain("<b>abc</b>");
    expect(reply.entities?.some((e) => e.type === "bold")).toBeFalsy();
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────

describe("input the bot accepts in its less common shapes (polling)", () => {
  const { s, replyTo, settle, botTexts, createsWithPrompt } = pollingSuite("inputgood", {
    MAX_ACTIVE_PER_USER: "2",
    MINIMAX_RPM: "100", // no queueing delay: this suite submits several generations
  });

  it("a PNG sent as a file reaches MiniMax as data:image/png with the very same bytes", async () => {
    const png = makePng(640, 480, [10, 200, 90]);
    const doc = s.tg.addDocument(png, { fileName: "product.png", mimeType: "image/png" });
    const update = s.tg.documentUpdate({ chatId: 7201, document: doc, caption: "png-doc: the bottle rotates slowly" });
    await s.tg.deliver(update);
    expect((await replyTo(update)).text).toMatch(/Got it! Job \w{7} is on its way/);
    const [create] = await eventually(() => createsWithPrompt("png-doc:").length === 1 && createsWithPrompt("png-doc:"), 10_000, "the create");
    expect(create!.outcome).toBe("accepted");
    expect(create!.imageMime).toBe("image/png");
    expect(create!.imageSha256).toBe(sha256(png));
    expect(create!.imageBytes?.equals(png)).toBe(true);
    expect(create!.body.prompt).toBe("png-doc: the bottle rotates slowly");
  });

  it("a file whose declared type lies (PNG bytes, image/jpeg) is sent with its real type", async () => {
    const png = makePng(800, 600, [250, 20, 20]);
    const doc = s.tg.addDocument(png, { fileName: "photo.jpg", mimeType: "image/jpeg" });
    const update = s.tg.documentUpdate({ chatId: 7202, document: doc, caption: "liar: the lamp glows" });
    await s.tg.deliver(update);
    expect((await replyTo(update)).text).toMatch(/Got it!/);
    const [create] = await eventually(() => createsWithPrompt("liar:").length === 1 && createsWithPrompt("liar:"), 10_000, "the create");
    expect(create!.outcome).toBe("accepted");
    expect(create!.imageMime).toBe("image/png");
    expect(create!.imageSha256).toBe(sha256(png));
  });

  it("the 2000-character limit counts characters, not UTF-16 units: 2000 emoji pass intact, 2001 do not", async () => {
    const chatId = 7207;
    const caption = "🚀".repeat(1999) + "!"; // 3999 UTF-16 units, 2000 characters
    const jpeg = makeJpeg(1280, 720);
    const ok = s.tg.photoUpdate({ chatId, photo: s.tg.addPhoto(jpeg, 1280, 720), caption });
    await s.tg.deliver(ok);
    expect((await replyTo(ok)).text).toMatch(/Got it!/);
    const create = await eventually(() => s.mm.createRequests.find((r) => r.imageSha256 === sha256(jpeg)), 10_000, "the emoji create");
    expect(create.outcome).toBe("accepted");
    expect(create.body.prompt).toBe(caption);

    const tooLong = s.tg.photoUpdate({ chatId, photo: s.tg.addPhoto(makeJpeg(1280, 720), 1280, 720), caption: "🚀".repeat(2001) });
    await s.tg.deliver(tooLong);
    expect((await replyTo(tooLong)).text).toMatch(new RegExp(`has ${num(2001)} characters`));
    await settle(chatId);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: chatId })).toBe(1);
  });

  it("a captionless photo: the bot asks what should move, and the next text becomes the prompt", async () => {
    const chatId = 7203;
    const jpeg = makeJpeg(1080, 1350);
    const photo = s.tg.photoUpdate({ chatId, photo: s.tg.addPhoto(jpeg, 1080, 1350) });
    await s.tg.deliver(photo);
    expect((await replyTo(photo)).text).toMatch(/What should move\?/);
    const parked = await s.app.db.models.User.findById(chatId);
    expect(parked?.pending_photo?.message_id).toBe(msgId(photo));

    // A prompt that is too long is refused, and the photo stays parked for the next try.
    const tooLong = s.tg.textUpdate({ chatId, text: "x".repeat(2001) });
    await s.tg.deliver(tooLong);
    expect((await replyTo(tooLong)).text).toMatch(new RegExp(`${num(2001)} characters.*at most ${num(2000)}\\.`));
    await settle(chatId);
    expect(s.mm.createRequests.filter((r) => r.imageSha256 === sha256(jpeg))).toEqual([]);

    const prompt = "captionless: the handbag turns slowly, light glides over the leather";
    const text = s.tg.textUpdate({ chatId, text: prompt });
    await s.tg.deliver(text);
    // The acceptance answers the photo, not the text message, and the video will follow there.
    const accepted = await s.tg.waitFor(() => s.tg.messages(chatId).find((m) => m.text?.startsWith("✅ Got it!")));
    expect(accepted.reply_to_message?.message_id).toBe(msgId(photo));

    const [create] = await eventually(() => createsWithPrompt("captionless:").length === 1 && createsWithPrompt("captionless:"), 10_000, "the create");
    expect(create!.body.prompt).toBe(prompt);
    expect(create!.imageMime).toBe("image/jpeg");
    expect(create!.imageSha256).toBe(sha256(jpeg));
    const gen = await s.app.db.models.Generation.findOne({ chat_id: chatId });
    expect(gen?.source_message_id).toBe(msgId(photo));
    expect((await s.app.db.models.User.findById(chatId))?.pending_photo ?? undefined).toBeUndefined();

    // The parked photo is used once: another text is not a second generation.
    const again = s.tg.textUpdate({ chatId, text: "captionless: and now spin faster" });
    await s.tg.deliver(again);
    expect((await replyTo(again)).text).toMatch(/I make videos from product photos/);
    await settle(chatId);
    expect(createsWithPrompt("captionless:")).toHaveLength(1);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: chatId })).toBe(1);
  });

  it("MAX_ACTIVE_PER_USER=2: a third photo while two are in flight is refused and never sent; a slot frees on delivery", async () => {
    const chatId = 7204;
    const photos = [0, 1, 2, 3].map(() => makeJpeg(1280, 720));
    const send = async (i: number) => {
      const u = s.tg.photoUpdate({ chatId, photo: s.tg.addPhoto(photos[i]!, 1280, 720), caption: `limit-${i}: the watch turns` });
      await s.tg.deliver(u);
      return { update: u, reply: await replyTo(u) };
    };
    expect((await send(0)).reply.text).toMatch(/Got it!/);
    expect((await send(1)).reply.text).toMatch(/Got it!/);
    const third = await send(2);
    expect(third.reply.text).toMatch(/already have 2 jobs in progress, the most at once\. I did not accept this photo and took no credits for it: please send it again/);

    await eventually(() => createsWithPrompt("limit-").length >= 2, 10_000, "two creates");
    await settle(chatId);
    expect(createsWithPrompt("limit-").map((r) => r.body.prompt).sort()).toEqual(["limit-0: the watch turns", "limit-1: the watch turns"]);
    expect(s.mm.createRequests.some((r) => r.imageSha256 === sha256(photos[2]!))).toBe(false);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: chatId })).toBe(2);

    // One finishes and is delivered; now a new photo is taken.
    const first = createsWithPrompt("limit-0:")[0]!;
    await s.mm.succeed(first.taskId!, makeMp4({ payloadBytes: 50_000 }));
    await s.tg.waitFor(() => s.tg.videosSent(chatId).length === 1 || undefined, 15_000, "the first video");
    await eventually(async () => (await s.app.db.models.Generation.findOne({ chat_id: chatId, prompt: "limit-0: the watch turns" }))?.phase === "delivered", 5_000, "delivered");
    expect((await send(3)).reply.text).toMatch(/Got it!/);
    const [fourth] = await eventually(() => createsWithPrompt("limit-3:").length === 1 && createsWithPrompt("limit-3:"), 10_000, "the fourth create");
    expect(fourth!.imageSha256).toBe(sha256(photos[3]!));
    expect(createsWithPrompt("limit-")).toHaveLength(3);
    expect(botTexts(chatId).filter((t) => t.includes("already have"))).toHaveLength(1);
  });

  it("/status <id> shows the owner's job and says not found to anyone else", async () => {
    const owner = 7205;
    const other = 7206;
    const u = s.tg.photoUpdate({ chatId: owner, photo: s.tg.addPhoto(makeJpeg(1024, 1024), 1024, 1024), caption: "status: the <vase> & the flowers sway" });
    await s.tg.deliver(u);
    await replyTo(u);
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: owner }), 5_000, "the generation");

    const peek = s.tg.textUpdate({ chatId: other, text: `/status ${gen.short_id}` });
    await s.tg.deliver(peek);
    const notFound = await replyTo(peek);
    expect(notFound.text).toBe(`I can't find a job ${gen.short_id} among yours.`);
    expect(notFound.text).not.toContain("vase");

    const own = s.tg.textUpdate({ chatId: owner, text: `/status ${gen.short_id.toUpperCase()}` });
    await s.tg.deliver(own);
    const detail = await replyTo(own);
    expect(detail.text).toMatch(new RegExp(`^Job ${gen.short_id}: `));
    expect(detail.text).toContain("Description: status: the <vase> & the flowers sway");

    // The other user's list stays empty.
    const list = s.tg.textUpdate({ chatId: other, text: "/status" });
    await s.tg.deliver(list);
    expect((await replyTo(list)).text).toMatch(/^You have no jobs yet/);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────

describe("a private bot: ALLOWED_USER_IDS (polling)", () => {
  const ALLOWED = 7301;
  const OUTSIDER = 7302;
  const { s, replyTo, settle, createsWithPrompt } = pollingSuite("inputprivate", { ALLOWED_USER_IDS: `${ALLOWED}, 7399` });

  it("an outsider gets 'private' for anything, and nothing about them is stored or sent to MiniMax", async () => {
    const photo = s.tg.photoUpdate({ chatId: OUTSIDER, photo: s.tg.addPhoto(makeJpeg(1280, 720), 1280, 720), caption: "outsider: the car drives" });
    const bare = s.tg.photoUpdate({ chatId: OUTSIDER, photo: s.tg.addPhoto(makeJpeg(1280, 720), 1280, 720) });
    const start = s.tg.textUpdate({ chatId: OUTSIDER, text: "/start" });
    const status = s.tg.textUpdate({ chatId: OUTSIDER, text: "/status" });
    for (const u of [photo, bare, start, status]) await s.tg.deliver(u);
    for (const u of [photo, bare, start, status]) expect((await replyTo(u)).text).toBe("🔒 This bot is private.");
    await settle(OUTSIDER);
    expect(s.tg.messages(OUTSIDER).every((m) => m.text === "🔒 This bot is private.")).toBe(true);
    expect(s.tg.messages(OUTSIDER)).toHaveLength(5);

    expect(await s.app.db.models.Generation.countDocuments({})).toBe(0);
    expect(await s.app.db.models.User.countDocuments({ _id: OUTSIDER })).toBe(0);
    expect(s.mm.createRequests).toEqual([]);
  });

  it("an allowed user is served as usual", async () => {
    const start = s.tg.textUpdate({ chatId: ALLOWED, text: "/start" });
    await s.tg.deliver(start);
    expect((await replyTo(start)).text).toMatch(/^👋 Hi! I'm Astrolus/);
    const photo = s.tg.photoUpdate({ chatId: ALLOWED, photo: s.tg.addPhoto(makeJpeg(1280, 720), 1280, 720), caption: "allowed: the car drives" });
    await s.tg.deliver(photo);
    expect((await replyTo(photo)).text).toMatch(/Got it!/);
    await eventually(() => createsWithPrompt("allowed:").length === 1, 10_000, "the allowed user's create");
    expect(createsWithPrompt("outsider:")).toEqual([]);
  });
});
