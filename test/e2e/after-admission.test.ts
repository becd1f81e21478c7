import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, expectOneVideo, photoFrom, user } from "../support/scenario.js";

describe("a failure after the request was admitted", () => {
  const s = useTestApp("afteradmit", { mode: "webhook" });

  it("never asks the user to send the photo again (a second payment): the job goes on and they are told so", async () => {
    const seller = user(7301);
    const video = makeMp4({ payloadBytes: 60_000 });
    s.mm.autoComplete({ afterMs: 100, video: () => video });
    // The acceptance reply is the first message the bot sends in this chat; Telegram refuses it.
    s.tg.failNext("sendMessage", { error_code: 400, description: "Bad Request: message to be replied not found" });
    await s.tg.deliver(photoFrom(s.tg, seller, "the teapot pours slowly").update);

    const notice = await botMessage(s.tg, seller.chatId, /Don't send the photo again/);
    const gen = await s.app.db.models.Generation.findOne({ chat_id: seller.chatId });
    expect(notice.text).toContain(gen!.short_id);
    await expectOneVideo(s.tg, seller.chatId, video);
    expect(s.tg.messages(seller.chatId).some((m) => /try again in a minute/.test(m.text ?? ""))).toBe(false);
    // Charged once, for the one video.
    const head = await s.app.db.models.Ledger.findOne({ user_id: seller.userId }).sort({ seq: -1 });
    expect(head?.balance).toBe(2);
  });
});
