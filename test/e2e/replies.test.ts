/**
 * What the bot says, and what it must not say: no prompts shown in a group, no parked photo
 * turning into a paid job days later, links that survive HTML, and Russian that is grammatical. Polling mode, through the fakes.
 */
import type { Message, Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, startFakes } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { makeJpeg } from "../support/images.js";
import { photoFrom, pressUpdate, taskFor, user } from "../support/scenario.js";

const msgId = (u: Update) => u.message!.message_id;

function suite(label: string, env: Record<string, string> = {}, fakes: Parameters<typeof startFakes>[0] = {}) {
  const s = useTestApp(label, { mode: "polling", env, fakes });
  /** The bot's message answering `update`, once it arrives. */
  const replyTo = (update: Update): Promise<Message> => {
    const chatId = update.message!.chat.id;
    return s.tg.waitFor(() => s.tg.messages(chatId).find((m) => m.reply_to_message?.message_id === msgId(update)), 10_000, `reply to ${msgId(update)}`);
  };
  /** Updates are handled in order: once a later /help is answered, everything before it is done. */
  const settle = async (chatId: number, from?: number) => {
    const marker = s.tg.textUpdate({ chatId, userId: from, text: "/help" });
    await s.tg.deliver(marker);
    await replyTo(marker);
  };
  return { s, replyTo, settle };
}

describe("/status in a group", () => {
  const { s, replyTo } = suite("repliesgroup");

  it("does not list anyone's prompts there; it points to the private chat", async () => {
    const sent = photoFrom(s.tg, user(7511), "secret launch: the new phone rises");
    await s.tg.deliver(sent.update);
    await replyTo(sent.update);
    await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7511 }), 5_000, "the generation");
    const gen = (await s.app.db.models.Generation.findOne({ chat_id: 7511 }))!;

    for (const [i, text] of ["/status", `/status ${gen.short_id}`].entries()) {
      const asked = s.tg.textUpdate({ chatId: -7510, userId: 7511, groupTitle: "Shop team", text });
      await s.tg.deliver(asked);
      const answer = await s.tg.waitFor(() => s.tg.messages(-7510)[i], 10_000, "the answer in the group");
      expect(answer.text).toMatch(/only in our private chat/);
      expect(answer.text).not.toContain("secret launch");
      expect(answer.text).not.toContain(gen.short_id);
    }
    // In the private chat the list is there as before.
    const own = s.tg.textUpdate({ chatId: 7511, text: "/status" });
    await s.tg.deliver(own);
    await s.tg.waitFor(() => s.tg.messages(7511).find((m) => m.text?.includes("secret launch")), 10_000, "the private list");
  });
});

describe("a parked captionless photo", () => {
  const { s, replyTo, settle } = suite("repliesparked");

  it("says how long it waits, and a text after that is not a paid job", async () => {
    const chatId = 7521;
    const photo = s.tg.photoUpdate({ chatId, photo: s.tg.addPhoto(makeJpeg(1080, 1080), 1080, 1080) });
    await s.tg.deliver(photo);
    expect((await replyTo(photo)).text).toMatch(/I'll keep the photo for 30 minutes/);
    const parked = await eventually(() => s.app.db.models.User.findById(chatId), 5_000, "the parked photo");
    expect(parked.pending_photo?.message_id).toBe(msgId(photo));

    // 31 minutes pass.
    await s.app.db.models.User.collection.updateOne({ _id: chatId } as never, { $set: { "pending_photo.parked_at": new Date(Date.now() - 31 * 60_000) } });
    const late = s.tg.textUpdate({ chatId, text: "parked: the lamp glows" });
    await s.tg.deliver(late);
    expect((await replyTo(late)).text).toMatch(/waited more than 30 minutes for a description, so I no longer keep it\. No credits were taken\./);
    await settle(chatId);
    expect(await s.app.db.models.Generation.countDocuments({ chat_id: chatId })).toBe(0);
    expect((await s.app.db.models.User.findById(chatId))?.pending_photo ?? undefined).toBeUndefined();
    expect(s.mm.createRequests).toEqual([]);
  });
});

describe("a failure before anything was accepted", () => {
  const { s } = suite("repliesbusy");
  const injected = { error_code: 400, description: "Bad Request: injected by the test" };
  const apology = (chatId: number) => s.tg.waitFor(() => s.tg.messages(chatId).find((m) => /^😔/.test(m.text ?? "")), 10_000, "the apology");

  it("says how to ask again, by where the request came from: send the photo, press the button, send the message; nothing is charged", async () => {
    // A captionless photo whose question fails to go out.
    s.tg.failNext("sendMessage", injected);
    await s.tg.deliver(s.tg.photoUpdate({ chatId: 7551, photo: s.tg.addPhoto(makeJpeg(1080, 1080), 1080, 1080) }));
    expect((await apology(7551)).text).toBe(
      "😔 Something went wrong on my side, so I did not accept this photo, and no credits were taken. Please send it again in a minute.",
    );

    // A button whose edit fails: the language menu, in Russian.
    const ru = user(7552, "ru");
    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "/language" }));
    const menu = await s.tg.waitFor(() => s.tg.messages(ru.chatId).find((m) => m.reply_markup), 10_000, "the language menu");
    s.tg.failNext("editMessageText", injected);
    await s.tg.deliver(pressUpdate(s.tg, ru, menu.message_id, "🇷🇺 Русский"));
    expect((await apology(ru.chatId)).text).toBe("😔 Из-за сбоя нажатие не сработало, кредиты не списаны. Нажмите кнопку ещё раз через минуту.");

    // A command whose answer fails.
    s.tg.failNext("sendMessage", injected);
    await s.tg.deliver(s.tg.textUpdate({ chatId: 7553, text: "/balance" }));
    expect((await apology(7553)).text).toBe(
      "😔 Something went wrong on my side, so I could not answer, and no credits were taken. Please send your message again in a minute.",
    );

    expect(await s.app.db.models.Ledger.countDocuments({ user_id: { $in: [7551, 7552, 7553] }, kind: "reserve" })).toBe(0);
    expect(s.mm.createRequests).toEqual([]);
  });
});

describe("a video sent as a link", () => {
  // Real signed URLs carry several parameters; this one also has a "<" that HTML must not see raw.
  const { s } = suite("replieslink", { TELEGRAM_UPLOAD_LIMIT_MB: "1" }, {
    minimax: { downloadUrlParams: "Expires=1767225600&OSSAccessKeyId=LTAI5t&response-content-disposition=attachment;filename=<astrolus>.mp4" },
  });

  it("keeps the download URL intact in the HTML message", async () => {
    await s.tg.deliver(photoFrom(s.tg, user(7531), "link: a sofa unfolds").update);
    const task = await taskFor(s.mm, "link: a sofa unfolds");
    await s.mm.succeed(task.taskId, makeMp4({ payloadBytes: 1_200_000 }));
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7531, phase: "delivered" }), 10_000, "delivered");
    expect(gen.video_url).toContain("&OSSAccessKeyId=LTAI5t&");
    const note = s.tg.messages(7531).find((m) => /more than a Telegram bot can upload/.test(m.text ?? ""));
    expect(note?.text).toContain(gen.video_url);
    expect(s.tg.rejectedCalls).toEqual([]);
    expect(gen.deliver_attempts).toBe(0);
  });
});

describe("Russian", () => {
  const { s, replyTo } = suite("repliesru");
  const ru = (chatId: number) => ({ chatId, languageCode: "ru" });

  it("a too long description: the plural form follows the number", async () => {
    for (const [length, word] of [
      [2001, "символ"],
      [2002, "символа"],
      [2005, "символов"],
    ] as const) {
      const u = s.tg.photoUpdate({ ...ru(7541), photo: s.tg.addPhoto(makeJpeg(1280, 720), 1280, 720), caption: "я".repeat(length) });
      await s.tg.deliver(u);
      const n = String(length).replace(/^(\d)/, "$1[\u00a0\u202f ]?");
      expect((await replyTo(u)).text).toMatch(new RegExp(`^✂️ В описании ${n} ${word}, а MiniMax принимает не больше`));
    }
  });

  it("/status <id>: «создана 1 минуту назад», with the case «назад» asks for", async () => {
    const sent = photoFrom(s.tg, user(7542, "ru"), "ру: чайник закипает");
    await s.tg.deliver(sent.update);
    await replyTo(sent.update);
    // Finished first: a job in flight is written by the worker, and on FerretDB an update rewrites the whole
    // document, so a concurrent write could put the old created_at back under the test.
    const task = await taskFor(s.mm, "ру: чайник закипает");
    await s.mm.succeed(task.taskId, makeMp4());
    const gen = await eventually(() => s.app.db.models.Generation.findOne({ chat_id: 7542, phase: "delivered" }), 10_000, "the delivered generation");
    for (const [minutes, phrase] of [
      [1, "1 минуту назад"],
      [22, "22 минуты назад"],
      [25, "25 минут назад"],
      [0, "меньше минуты назад"],
    ] as const) {
      const createdAt = new Date(Date.now() - minutes * 60_000 - 5_000);
      await s.app.db.models.Generation.collection.updateOne({ _id: gen._id }, { $set: { created_at: createdAt } });
      const asked = s.tg.textUpdate({ ...ru(7542), text: `/status ${gen.short_id}` });
      await s.tg.deliver(asked);
      expect((await replyTo(asked)).text).toContain(`Создана ${phrase}. Описание: ру: чайник закипает`);
    }
  });
});
