import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, photoFrom, press, user } from "../support/scenario.js";

const ADMIN = 9990;

/**
 * Issue 16, defect 3: a button refused for want of credits (or for the active limit) must not use
 * up the button. Pressed again after a top-up, it makes one generation with its own status message,
 * price and answer.
 */
describe("🔁 Again refused, a top-up, Again again", () => {
  const s = useTestApp("againrefused", {
    mode: "polling",
    env: { FREE_CREDITS: "1", MAX_ACTIVE_PER_USER: "10", MINIMAX_RPM: "100", ADMIN_USER_IDS: String(ADMIN) },
  });

  it("the second press makes one generation, answered as started, with its own status message and price", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => makeMp4({ payloadBytes: 20_000 }) });
    const who = user(9601, "en");
    const sent = photoFrom(s.tg, who, "the teapot pours itself a cup");
    await s.tg.deliver(sent.update);
    const video = await s.tg.waitFor(() => s.tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === sent.messageId && m.video), 15_000, "the video");
    const original = await eventually(() => s.app.db.models.Generation.findOne({ user_id: who.userId, phase: "delivered" }).lean(), 5_000, "delivered");

    // Balance 0 now: the press is refused, and says so.
    const refused = await press(s.tg, who, video.message_id, "🔁 Again");
    expect(refused.text).toBe("No new video this time, and no credits were taken. The reason is in the message below.");
    await botMessage(s.tg, who.chatId, /This video costs 1 credit/);
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: original.short_id })).toBe(0);

    await s.tg.deliver(s.tg.textUpdate({ chatId: ADMIN, text: `/grant ${who.userId} 2` }));
    await botMessage(s.tg, ADMIN, /User <code>9601<\/code>|User 9601/);

    const started = await press(s.tg, who, video.message_id, "🔁 Again");
    expect(started.text).toBe("🎬 A new video is on its way.");
    const again = await eventually(() => s.app.db.models.Generation.findOne({ variation_of: original.short_id }).lean(), 10_000, "the Again generation");
    // Its own status message, answering the video, with its price: the user can follow and cancel it.
    const status = await botMessage(s.tg, who.chatId, new RegExp(`${again.short_id}[\\s\\S]*Price: 1 credit`));
    expect(status.reply_to_message?.message_id).toBe(video.message_id);
    expect(await s.app.db.models.StatusMessage.countDocuments({ _id: again.short_id })).toBe(1);
    await new Promise((r) => setTimeout(r, 500)); // room for a second generation, should one be made
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: original.short_id })).toBe(1);
    expect(s.tg.callbackAnswers.filter((a) => a.text === "This button has already started a video.")).toHaveLength(0);
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});
