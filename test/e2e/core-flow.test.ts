import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { makeJpeg } from "../support/images.js";
import { sha256 } from "../support/scenario.js";

describe.each(["polling", "webhook"] as const)("core flow, %s mode", (mode) => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let app: TestApp;

  beforeAll(async () => {
    ({ telegram: tg, minimax: mm } = await startFakes());
    app = await startTestApp({ mode, telegram: tg, minimax: mm, mongoUri: testDatabaseUri(`core${mode}`) });
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await mm?.close();
  });

  it("registers commands and the right update channel at start", () => {
    expect(tg.myCommands().map((c) => c.command)).toEqual(["start", "help", "templates", "status", "history", "settings", "language", "balance", "buy", "invite", "promo", "paysupport", "terms"]);
    expect(tg.myCommands(undefined, "ru")[0]?.description).toMatch(/Старт/);
    if (mode === "webhook") {
      expect(tg.webhook?.url).toBe(`${app.config.publicUrl}/telegram/webhook`);
      expect(tg.webhook?.secret_token).toBe(app.config.webhookSecret);
    } else {
      expect(tg.webhook).toBeUndefined();
      expect(tg.callsTo("deleteWebhook")).toHaveLength(1);
    }
  });

  it("two users at once each receive their own video, byte for byte, and /status shows it", async () => {
    const users = [
      { chatId: 5001, userId: 5001, languageCode: "en" },
      { chatId: 5002, userId: 5002, languageCode: "ru" },
    ];
    const photos = users.map(() => makeJpeg(1280, 720));
    const videos = users.map((_, i) => makeMp4({ payloadBytes: 400_000 + i * 1000 }));
    const sent = users.map((u, i) => {
      const update = tg.photoUpdate({ ...u, photo: tg.addPhoto(photos[i]!, 1280, 720), caption: `sneaker ${i} turns slowly on a white podium` });
      return { update, messageId: update.message!.message_id };
    });
    await Promise.all(sent.map(({ update }) => tg.deliver(update)));

    const tasks = await mm.waitForTasks(2);
    for (const [i, u] of users.entries()) {
      const task = tasks.find((t) => t.prompt === `sneaker ${i} turns slowly on a white podium`)!;
      expect(task, `task for user ${i}`).toBeDefined();
      // MiniMax received exactly the photo this user sent.
      expect(task.imageSha256).toBe(sha256(photos[i]!));
      expect(task.model).toBe("MiniMax-Hailuo-02");
      if (mode === "webhook") expect(task.callbackUrl).toMatch(/\/api\/minimax_callback\?generation=\w+&token=[\w-]{20,}/);
      else expect(task.callbackUrl).toBeUndefined();
      const accepted = await tg.waitFor(() => tg.messages(u.chatId).find((m) => m.text?.includes(i === 0 ? "Got it" : "Принято")));
      expect(accepted.reply_to_message?.message_id ?? sent[i]!.messageId).toBe(sent[i]!.messageId);
    }

    await mm.process(tasks[0]!.taskId);
    await Promise.all(
      users.map((_, i) => mm.succeed(tasks.find((t) => t.prompt === `sneaker ${i} turns slowly on a white podium`)!.taskId, videos[i]!)),
    );

    for (const [i, u] of users.entries()) {
      const [video] = await tg.waitFor(() => {
        const v = tg.videosSent(u.chatId);
        return v.length ? v : undefined;
      }, 15_000);
      expect(video!.sha256).toBe(sha256(videos[i]!));
      expect((video!.params.reply_parameters as { message_id: number }).message_id).toBe(sent[i]!.messageId);
      // The dimensions MiniMax reported and the duration asked for, so Telegram shows it right.
      const task = tasks.find((t) => t.prompt === `sneaker ${i} turns slowly on a white podium`)!;
      expect(task.width).toBeGreaterThan(0);
      expect(video!.params).toMatchObject({ width: task.width, height: task.height, duration: 6, supports_streaming: true });
      expect(tg.callsTo("sendChatAction").some((c) => c.params.chat_id === u.chatId && c.params.action === "upload_video")).toBe(true);
    }
    const gens = await eventually(async () => {
      const all = await app.db.models.Generation.find().sort({ user_id: 1 });
      return all.every((g) => g.phase === "delivered") && all;
    }, 5_000, "both generations delivered");
    for (const gen of gens) {
      expect(gen.phase).toBe("delivered");
      expect(gen.minimax_status).toBe("success");
      expect(gen.telegram_video_file_id).toMatch(/^vid_/);
      expect(gen.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cdn\//);
    }
    expect(tg.videosSent()).toHaveLength(2);

    // /status: each user sees their own job only.
    await tg.deliver(tg.textUpdate({ ...users[0]!, text: "/status" }));
    const status = await tg.waitFor(() => tg.messages(5001).find((m) => m.text?.startsWith("🗂")));
    expect(status.text).toContain(gens[0]!.short_id);
    expect(status.text).toContain("✅ done");
    expect(status.text).not.toContain(gens[1]!.short_id);
    expect(tg.rejectedCalls).toEqual([]);
  });
});
