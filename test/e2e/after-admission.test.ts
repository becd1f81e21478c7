import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { botMessage, expectOneVideo, photoFrom, user } from "../support/scenario.js";

describe("a failure after the request was admitted", () => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let app: TestApp;

  beforeAll(async () => {
    ({ telegram: tg, minimax: mm } = await startFakes());
    app = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: testDatabaseUri("afteradmit") });
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await mm?.close();
  });

  it("never asks the user to send the photo again (a second payment): the job goes on and they are told so", async () => {
    const seller = user(7301);
    const video = makeMp4({ payloadBytes: 60_000 });
    mm.autoComplete({ afterMs: 100, video: () => video });
    // The acceptance reply is the first message the bot sends in this chat; Telegram refuses it.
    tg.failNext("sendMessage", { error_code: 400, description: "Bad Request: message to be replied not found" });
    await tg.deliver(photoFrom(tg, seller, "the teapot pours slowly").update);

    const notice = await botMessage(tg, seller.chatId, /Do not send the photo again/);
    const gen = await app.db.models.Generation.findOne({ chat_id: seller.chatId });
    expect(notice.text).toContain(gen!.short_id);
    await expectOneVideo(tg, seller.chatId, video);
    expect(tg.messages(seller.chatId).some((m) => /send the photo again in a minute/.test(m.text ?? ""))).toBe(false);
    // Charged once, for the one video.
    const head = await app.db.models.Ledger.findOne({ user_id: seller.userId }).sort({ seq: -1 });
    expect(head?.balance).toBe(2);
  });
});
