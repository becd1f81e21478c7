import http from "node:http";
import type { AddressInfo } from "node:net";
import { Bot, InputFile, webhookCallback } from "grammy";
import type { Message } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeTelegram, makeMp4, makePng, startFakeTelegram } from "./support/fake-telegram.js";

let fake: FakeTelegram;
const CHAT = 4242;

beforeEach(async () => {
  fake = await startFakeTelegram();
});
afterEach(async () => {
  await fake.close();
});

async function call(method: string, body?: unknown, token = fake.token) {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function newBot() {
  return new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
}

describe("fake Telegram Bot API", () => {
  it("refuses what Telegram refuses", async () => {
    fake.addChat({ chatId: CHAT });
    expect(await call("sendMesage", { chat_id: CHAT, text: "x" })).toEqual({
      status: 404,
      json: { ok: false, error_code: 404, description: "Not Found" },
    });
    expect(await call("sendMessage", { text: "hi" })).toMatchObject({
      status: 400,
      json: { ok: false, error_code: 400, description: 'Bad Request: parameter "chat_id" is required' },
    });
    expect((await call("sendMessage", { chat_id: CHAT, text: "hi", colour: "red" })).json.description).toBe(
      'Bad Request: unknown parameter "colour"',
    );
    expect((await call("getMe", {}, "1:wrong")).status).toBe(401);
    expect((await call("sendMessage", { chat_id: CHAT, text: "a < b", parse_mode: "HTML" })).json.description).toMatch(
      /can't parse entities: Unsupported start tag/,
    );
    expect(fake.calls.filter((c) => !c.error)).toEqual([]);
    expect(fake.rejectedCalls.map((r) => r.error_code)).toEqual([404, 400, 400, 401, 400]);
  });

  it("Mini App methods as Telegram has them: web_app buttons https and in private chats only, the menu button, invoice links", async () => {
    fake.addChat({ chatId: CHAT });
    fake.addChat({ chatId: -100, userId: CHAT, groupTitle: "Sellers" });
    const button = (url: string) => ({ inline_keyboard: [[{ text: "Studio", web_app: { url } }]] });
    expect((await call("sendMessage", { chat_id: CHAT, text: "x", reply_markup: button("https://studio.test/app") })).status).toBe(200);
    expect((await call("sendMessage", { chat_id: CHAT, text: "x", reply_markup: button("http://studio.test/app") })).json.description).toMatch(/Only HTTPS links are allowed/);
    expect((await call("sendMessage", { chat_id: -100, text: "x", reply_markup: button("https://studio.test/app") })).json.description).toBe("Bad Request: BUTTON_TYPE_INVALID");

    expect(fake.menuButton()).toEqual({ type: "default" });
    expect((await call("setChatMenuButton", { menu_button: { type: "web_app", text: "Studio", web_app: { url: "http://studio.test/app" } } })).status).toBe(400);
    expect((await call("setChatMenuButton", { menu_button: { type: "web_app", text: "Studio" } })).json.description).toMatch(/web_app is required/);
    expect((await call("setChatMenuButton", { menu_button: { type: "web_app", text: "Studio", web_app: { url: "https://studio.test/app" } } })).status).toBe(200);
    expect(fake.menuButton(CHAT)).toEqual({ type: "web_app", text: "Studio", web_app: { url: "https://studio.test/app" } });
    expect((await call("getChatMenuButton", {})).json.result).toEqual({ type: "web_app", text: "Studio", web_app: { url: "https://studio.test/app" } });

    const invoice = { title: "10 credits", description: "Credits", payload: "credits:10:50", currency: "XTR", prices: [{ label: "10 credits", amount: 50 }] };
    const created = await call("createInvoiceLink", invoice);
    expect(created.json.result).toMatch(/^https:\/\/t\.me\/\$[\w-]+$/);
    expect(fake.invoiceLinks).toEqual([expect.objectContaining({ link: created.json.result, payload: "credits:10:50", total_amount: 50 })]);
    expect((await call("createInvoiceLink", { ...invoice, provider_token: "abc" })).json.description).toMatch(/PROVIDER_TOKEN_INVALID/);
    expect((await call("createInvoiceLink", { ...invoice, prices: [...invoice.prices, { label: "tip", amount: 1 }] })).json.description).toMatch(/exactly one price/);
    expect((await call("createInvoiceLink", { ...invoice, subscription_period: 60 })).json.description).toMatch(/SUBSCRIPTION_PERIOD_INVALID/);
  });

  it("records grammY's JSON and multipart calls with the uploaded bytes", async () => {
    fake.addChat({ chatId: CHAT, firstName: "Ann" });
    const bot = newBot();
    const sent = await bot.api.sendMessage(CHAT, "<b>Hello</b> Ann", { parse_mode: "HTML" });
    expect(sent).toMatchObject({ message_id: 1, text: "Hello Ann", entities: [{ type: "bold", offset: 0, length: 5 }] });

    const video = makeMp4({ width: 720, height: 1280, durationSeconds: 6, payloadBytes: 200_000 });
    const msg = await bot.api.sendVideo(CHAT, new InputFile(video, "clip.mp4"), {
      caption: "Your video",
      reply_parameters: { message_id: sent.message_id },
    });
    expect(msg.video).toMatchObject({ width: 720, height: 1280, duration: 6, file_size: video.length });
    expect(msg.reply_to_message?.message_id).toBe(1);

    const upload = fake.callsTo("sendVideo")[0];
    expect(upload?.params).toMatchObject({ chat_id: CHAT, caption: "Your video", reply_parameters: { message_id: 1 } });
    expect(String(upload?.params.video)).toMatch(/^attach:\/\//);
    expect(upload?.files.video?.bytes.equals(video)).toBe(true);
    expect(fake.videosSent(CHAT)[0]?.bytes.equals(video)).toBe(true);
    expect(fake.messages(CHAT).map((m) => m.message_id)).toEqual([1, 2]);
    expect(fake.rejectedCalls).toEqual([]);
  });

  it("a video's cover must name a photo: a photo's file_id is shown as the cover, a document's is refused", async () => {
    fake.addChat({ chatId: CHAT });
    const bot = newBot();
    const photo = fake.addPhoto(makePng(640, 480), 640, 480);
    const video = makeMp4({ width: 640, height: 480, durationSeconds: 6, payloadBytes: 50_000 });
    const msg = await bot.api.sendVideo(CHAT, new InputFile(video, "clip.mp4"), { cover: photo.at(-1)!.file_id });
    expect(msg.video.cover?.at(-1)).toMatchObject({ file_id: photo.at(-1)!.file_id, width: 640, height: 480 });
    const doc = fake.addDocument(makePng(640, 480), { fileName: "photo.png" });
    await expect(bot.api.sendVideo(CHAT, new InputFile(video, "clip.mp4"), { cover: doc.file_id })).rejects.toThrow(/can't use file of type Document as Photo/);
    await expect(bot.api.sendVideo(CHAT, new InputFile(video, "clip.mp4"), { cover: "no-such-file" })).rejects.toThrow(/wrong file identifier/);
  });

  it("sendMediaGroup: an album of 2 to 10 uploaded videos, each InputMediaVideo field checked against the spec, covers resolved as photos, no buttons", async () => {
    fake.addChat({ chatId: CHAT });
    const bot = newBot();
    const photo = fake.addPhoto(makePng(640, 480), 640, 480);
    const clips = [1, 2, 3].map((i) => makeMp4({ width: 640, height: 480, durationSeconds: 6, payloadBytes: 40_000 + i }));
    const media = clips.map((clip, i) => ({
      type: "video" as const,
      media: new InputFile(clip, `clip-${i}.mp4`),
      caption: `<b>Variant ${i + 1}</b>`,
      parse_mode: "HTML" as const,
      cover: photo.at(-1)!.file_id,
      supports_streaming: true,
      width: 640,
      height: 480,
      duration: 6,
    }));
    const sent: Message[] = await bot.api.sendMediaGroup(CHAT, media);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((m) => m.media_group_id)).size).toBe(1);
    expect(sent.map((m) => m.caption)).toEqual(["Variant 1", "Variant 2", "Variant 3"]);
    expect(sent.every((m) => m.video?.cover?.at(-1)?.file_id === photo.at(-1)!.file_id && m.video.width === 640 && m.video.duration === 6)).toBe(true);
    expect(fake.videosSent(CHAT).map((v) => v.bytes.equals(clips[fake.videosSent(CHAT).indexOf(v)]!))).toEqual([true, true, true]);

    // What Telegram refuses: one item, a field InputMediaVideo lacks, a reply_markup (albums carry no buttons), a cover that is no photo.
    await expect(bot.api.sendMediaGroup(CHAT, media.slice(0, 1).map((m) => ({ ...m, media: new InputFile(clips[0]!, "a.mp4") })))).rejects.toThrow(/must be between 2 and 10/);
    const raw = (extra: Record<string, unknown>, item: Record<string, unknown> = {}) =>
      call("sendMediaGroup", { chat_id: CHAT, media: [0, 1].map(() => ({ type: "video", media: sent[0]!.video!.file_id, ...item })), ...extra });
    expect((await raw({}, { colour: "red" })).json.description).toMatch(/colour is not a field of InputMediaVideo/);
    expect((await raw({ reply_markup: { inline_keyboard: [[{ text: "x", callback_data: "x" }]] } })).json.description).toBe('Bad Request: unknown parameter "reply_markup"');
    const doc = fake.addDocument(makePng(640, 480), { fileName: "photo.png" });
    expect((await raw({}, { cover: doc.file_id })).json.description).toMatch(/can't use file of type Document as Photo/);
    expect((await raw({})).status).toBe(200);
  });

  it("long polling returns an update enqueued while waiting, and grammY handles it", async () => {
    const photo = fake.addPhoto(makePng(64, 48), 64, 48);
    const started = Date.now();
    const poll = call("getUpdates", { timeout: 5 });
    setTimeout(() => fake.enqueueUpdate(fake.photoUpdate({ chatId: CHAT, userId: CHAT, photo })), 50);
    const { json } = await poll;
    expect(Date.now() - started).toBeLessThan(2000);
    const updates = json.result as Array<{ update_id: number; message: { photo: unknown[] } }>;
    expect(updates[0]?.message.photo).toHaveLength(3);

    // Confirm it, then let a real grammY poller answer a text message.
    await call("getUpdates", { offset: (updates[0]?.update_id ?? 0) + 1 });
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const running = bot.start({ drop_pending_updates: false });
    fake.enqueueUpdate(fake.textUpdate({ chatId: CHAT, userId: CHAT, text: "hi" }));
    await fake.waitFor(() => fake.messages(CHAT).find((m) => m.text === "echo: hi"));
    await bot.stop();
    await running;
    expect(fake.pendingUpdates).toEqual([]);
    expect(fake.rejectedCalls).toEqual([]);
  });

  it("does not record a multipart upload whose stream breaks midway", async () => {
    fake.addChat({ chatId: CHAT });
    const bot = newBot();
    async function* truncated() {
      yield new Uint8Array(64 * 1024);
      await new Promise((r) => setTimeout(r, 50));
      throw new Error("source video stream broke");
    }
    await expect(bot.api.sendVideo(CHAT, new InputFile(truncated(), "clip.mp4"))).rejects.toThrow();
    await fake.waitFor(() => fake.abortedCalls.includes("sendVideo"));
    expect(fake.callsTo("sendVideo")).toEqual([]);
    expect(fake.messages(CHAT)).toEqual([]);
  });

  it("posts updates to the registered webhook with the secret token", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply("pong"));
    const server = http.createServer(webhookCallback(bot, "http", { secretToken: "s3cret" }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      await bot.api.setWebhook(`http://127.0.0.1:${port}/hook`, { secret_token: "s3cret" });
      expect((await call("getUpdates")).status).toBe(409);
      fake.rejectedCalls.length = 0;

      const bad = await fake.postToWebhook(fake.textUpdate({ chatId: CHAT, text: "ping" }), { secret: "nope" });
      expect(bad.status).toBe(401);
      const ok = await fake.postToWebhook(fake.textUpdate({ chatId: CHAT, text: "ping" }));
      expect(ok.status).toBe(200);
      expect(fake.messages(CHAT).map((m) => m.text)).toEqual(["pong"]);
      expect(fake.rejectedCalls).toEqual([]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("sells with Telegram Stars the way Telegram checks it: invoices, pre-checkout answers, refunds", async () => {
    fake.addChat({ chatId: CHAT });
    const invoice = { chat_id: CHAT, title: "10 credits", description: "d", payload: "p:1", currency: "XTR", prices: [{ label: "10 credits", amount: 50 }] };
    const sent = await call("sendInvoice", { ...invoice, provider_token: "" });
    expect(sent.json.result).toMatchObject({ invoice: { title: "10 credits", currency: "XTR", total_amount: 50, start_parameter: "" } });
    expect(fake.invoices).toHaveLength(1);
    // Stars take one price item and no provider token.
    expect((await call("sendInvoice", { ...invoice, prices: [...invoice.prices, { label: "tax", amount: 1 }] })).status).toBe(400);
    expect((await call("sendInvoice", { ...invoice, provider_token: "123:TEST" })).status).toBe(400);
    expect((await call("sendInvoice", { ...invoice, title: "" })).status).toBe(400);
    expect(fake.invoices).toHaveLength(1);

    const query = fake.preCheckoutQueryUpdate({ chatId: CHAT, invoicePayload: "p:1", totalAmount: 50 }).pre_checkout_query!;
    expect((await call("answerPreCheckoutQuery", { pre_checkout_query_id: query.id, ok: false })).json.description).toBe("Bad Request: ERROR_MESSAGE_EMPTY");
    expect((await call("answerPreCheckoutQuery", { pre_checkout_query_id: query.id, ok: true })).json.result).toBe(true);
    expect((await call("answerPreCheckoutQuery", { pre_checkout_query_id: query.id, ok: true })).status).toBe(400); // answered once
    expect(fake.preCheckoutAnswers).toEqual([{ pre_checkout_query_id: query.id, ok: true }]);

    const paid = fake.successfulPaymentUpdate({ chatId: CHAT, invoicePayload: "p:1", totalAmount: 50 }).message!.successful_payment!;
    const refund = { user_id: CHAT, telegram_payment_charge_id: paid.telegram_payment_charge_id };
    expect((await call("refundStarPayment", { ...refund, user_id: CHAT + 1 })).json.description).toBe("Bad Request: CHARGE_ID_INVALID");
    expect((await call("refundStarPayment", refund)).json.result).toBe(true);
    expect((await call("refundStarPayment", refund)).json.description).toBe("Bad Request: CHARGE_ALREADY_REFUNDED");
    expect(fake.starRefunds).toEqual([refund]);
  });
});
