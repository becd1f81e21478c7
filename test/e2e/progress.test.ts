import { describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { buttonLabels, photoFrom, press, pressUpdate, taskFor, user, type TestUser } from "../support/scenario.js";

const EDIT_INTERVAL_MS = 5_000;

/** The status message (the acceptance) the bot sent in reply to the photo `photoMessageId`. */
function statusMessage(tg: FakeTelegram, who: TestUser, photoMessageId: number) {
  return tg.waitFor(() => tg.messages(who.chatId).find((m) => m.reply_to_message?.message_id === photoMessageId && m.text !== undefined), 10_000, "the status message");
}
const textOf = (tg: FakeTelegram, who: TestUser, messageId: number) => tg.messages(who.chatId).find((m) => m.message_id === messageId)?.text ?? "";
const edits = (tg: FakeTelegram, who: TestUser, messageId: number) =>
  tg.callsTo("editMessageText").filter((c) => c.params.chat_id === who.chatId && c.params.message_id === messageId);
/** Sends a command as the user and returns the bot's first later message that matches. */
async function ask(tg: FakeTelegram, who: TestUser, text: string, match: RegExp) {
  const asked = tg.textUpdate({ ...who, text });
  await tg.deliver(asked);
  const after = asked.message!.message_id;
  return tg.waitFor(() => tg.messages(who.chatId).find((m) => m.message_id > after && match.test(m.text ?? "")), 10_000, `the answer to ${text}`);
}

describe("live progress in one status message", () => {
  const s = useTestApp("progress", { mode: "polling", env: { MINIMAX_RPM: "100" } });

  it("English: accepted → with MiniMax → making (elapsed) → sending → done, one message, edits 5 s apart and only on change; 'not modified' is success", { timeout: 90_000 }, async () => {
    const en = user(9301, "en");
    const sent = photoFrom(s.tg, en, "the headphones rotate on a stand");
    await s.tg.deliver(sent.update);
    const status = await statusMessage(s.tg, en, sent.messageId);
    expect(status.text).toMatch(/Got it! Job \w{7} is on its way to MiniMax/);
    expect(buttonLabels(s.tg, en.chatId, status.message_id)).toEqual([["✖️ Cancel"]]);
    const task = await taskFor(s.mm, "the headphones rotate on a stand");
    const shortId = (await s.app.db.models.Generation.findOne({ chat_id: en.chatId }).lean())!.short_id;

    // MiniMax has the task: "with MiniMax", or "making" once a status check has heard it is under way.
    await s.tg.waitFor(() => /is with MiniMax|MiniMax is making your video/.test(textOf(s.tg, en, status.message_id)), 15_000, "submitted");
    await s.mm.process(task.taskId);
    await s.tg.waitFor(() => /MiniMax is making your video, under a minute so far/.test(textOf(s.tg, en, status.message_id)), 15_000, "processing");
    expect(buttonLabels(s.tg, en.chatId, status.message_id)).toEqual([]); // MiniMax cannot cancel: the button is gone

    // As after a crash between an edit and its record: the same text is sent again, Telegram answers
    // "message is not modified", and that counts as shown: not retried, not logged as a failure.
    await eventually(async () => (await s.app.db.models.StatusMessage.findById(shortId).lean())?.shown.includes("MiniMax is making"), 5_000, "the edit recorded");
    const editsBefore = edits(s.tg, en, status.message_id).length;
    await s.app.db.models.StatusMessage.updateOne({ _id: shortId }, { $set: { shown: "lost with the crash" } });
    await s.tg.waitFor(() => edits(s.tg, en, status.message_id).length > editsBefore, 15_000, "the repeated edit");
    expect(edits(s.tg, en, status.message_id).at(-1)!.error?.description).toMatch(/message is not modified/);
    await new Promise((r) => setTimeout(r, EDIT_INTERVAL_MS + 1_000));
    expect(edits(s.tg, en, status.message_id)).toHaveLength(editsBefore + 1);
    expect(await s.app.db.models.StatusMessage.findById(shortId).lean()).toMatchObject({ done: false, shown: expect.stringContaining("MiniMax is making") });

    s.tg.delayNext("sendVideo", 8_000); // a slow upload: long enough to show "sending"
    await s.mm.succeed(task.taskId, makeMp4({ payloadBytes: 30_000 }));
    await s.tg.waitFor(() => /sending it to you now/.test(textOf(s.tg, en, status.message_id)), 15_000, "sending");
    await s.tg.waitForCall("sendChatAction", (c) => c.params.chat_id === en.chatId && c.params.action === "upload_video");
    await s.tg.waitFor(() => /is done: your video is right below/.test(textOf(s.tg, en, status.message_id)), 25_000, "done");
    expect(s.tg.videosSent(en.chatId)).toHaveLength(1);
    expect(s.tg.messages(en.chatId).filter((m) => m.text !== undefined)).toHaveLength(1); // one status message throughout

    // Within the rate: the message was sent, then edited at most once per 5 s (by Telegram's clock).
    const sendAt = s.tg.callsTo("sendMessage").find((c) => c.params.chat_id === en.chatId)!.at;
    const times = [sendAt, ...edits(s.tg, en, status.message_id).map((c) => c.at)];
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `gap before edit ${i}`).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS - 50);
    // Never an edit that changes nothing, apart from the one after the simulated crash.
    expect(s.tg.rejectedCalls.map((r) => r.description)).toEqual([expect.stringMatching(/message is not modified/)]);
    await new Promise((r) => setTimeout(r, EDIT_INTERVAL_MS + 1_000));
    const texts = edits(s.tg, en, status.message_id).filter((c) => !c.error).map((c) => c.params.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(s.app.logs.some((l) => l.includes("status message edit failed"))).toBe(false);
    expect(await s.app.db.models.StatusMessage.findById(shortId).lean()).toMatchObject({ done: true });
    s.tg.rejectedCalls.length = 0;
  });

  it("Russian: a failure edits the status message to the reason in plain words", { timeout: 60_000 }, async () => {
    const ru = user(9302, "ru");
    const sent = photoFrom(s.tg, ru, "ваза вращается на столе");
    await s.tg.deliver(sent.update);
    const status = await statusMessage(s.tg, ru, sent.messageId);
    expect(status.text).toMatch(/Принято! Задача \w{7}/);
    expect(buttonLabels(s.tg, ru.chatId, status.message_id)).toEqual([["✖️ Отменить"]]);
    const task = await taskFor(s.mm, "ваза вращается на столе");
    await s.tg.waitFor(() => /уже у MiniMax|MiniMax делает ваше видео уже меньше минуты/.test(textOf(s.tg, ru, status.message_id)), 15_000, "submitted");
    expect(buttonLabels(s.tg, ru.chatId, status.message_id)).toEqual([]);
    await s.mm.fail(task.taskId, 1026, "input new_sensitive");
    await s.tg.waitFor(() => /MiniMax не пропустил фото или описание — модерация сочла их недопустимыми\. Кредиты вернулись на баланс/.test(textOf(s.tg, ru, status.message_id)), 20_000, "the failure in the status message");
    expect(buttonLabels(s.tg, ru.chatId, status.message_id)).toEqual([]);
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});

describe("Cancel while queued", () => {
  // One create per 4 s: the second job waits in the queue long enough to be cancelled.
  const s = useTestApp("cancel", { mode: "polling", env: { MINIMAX_RPM: "1", MINIMAX_RPM_WINDOW_MS: "4000", MAX_ACTIVE_PER_USER: "5" } });

  it("Russian: a queued job cancelled with the button is never submitted; the status message says so and loses the button", { timeout: 60_000 }, async () => {
    const ru = user(9401, "ru");
    const first = photoFrom(s.tg, ru, "первый: часы блестят");
    await s.tg.deliver(first.update);
    await taskFor(s.mm, "первый: часы блестят");
    await s.tg.deliver(photoFrom(s.tg, ru, "второй: часы вращаются").update);
    // Two jobs hold two of the three free credits: what /balance says before the third one.
    const balanceBefore = (await ask(s.tg, ru, "/balance", /^💳/)).text!.split("\n")[0];
    expect(balanceBefore).toBe("💳 Ваш баланс: 1 кредит. Задач в работе: 2.");
    const third = photoFrom(s.tg, ru, "третий: часы тикают");
    await s.tg.deliver(third.update);
    const status = await statusMessage(s.tg, ru, third.messageId);
    expect(status.text).toMatch(/ваше место в очереди — 2, до старта около 1 минуты/);

    const answer = await press(s.tg, ru, status.message_id, "✖️ Отменить");
    expect(answer.text).toBe("Отменено: задача не будет выполнена, кредиты вернутся на баланс.");
    const gen = await eventually(async () => {
      const g = await s.app.db.models.Generation.findOne({ user_prompt: "третий: часы тикают" }).lean();
      return g?.phase === "failed" && g;
    }, 10_000, "the cancelled generation closed");
    expect(gen).toMatchObject({ error_code: "cancelled" });
    expect(gen.create_sent_at).toBeUndefined();
    await s.tg.waitFor(() => /Задача \w{7} отменена. В MiniMax она не отправлялась, кредиты вернулись на баланс\./.test(textOf(s.tg, ru, status.message_id)), 15_000, "the cancelled status");
    expect(buttonLabels(s.tg, ru.chatId, status.message_id)).toEqual([]);
    // The credit reserved for it is back: the balance is where it was before the third photo.
    const balance = (await ask(s.tg, ru, "/balance", /^💳/)).text!;
    expect(balance.split("\n")[0]).toBe(balanceBefore);
    expect(balance).toContain(`задача ${gen.short_id} не выполнена: кредиты вернулись`);
    const head = await s.app.db.models.Ledger.findOne({ user_id: ru.userId }).sort({ seq: -1 }).lean();
    expect(head).toMatchObject({ kind: "release", short_id: gen.short_id, credits: 1, balance: 1, in_flight: 2 });
    // /status calls it cancelled, not failed, in the list and on its own.
    const list = (await ask(s.tg, ru, "/status", /^🗂/)).text!;
    expect(list.split("\n").find((l) => l.startsWith(gen.short_id))).toMatch(new RegExp(`^${gen.short_id} · 🚫 отмена · `));
    expect((await ask(s.tg, ru, `/status ${gen.short_id}`, /^Задача /)).text).toMatch(new RegExp(`^Задача ${gen.short_id}: 🚫 отмена\n`));
    // A stale client pressing the old button again: told it is cancelled already.
    const again = s.tg.callbackQueryUpdate({ ...ru, messageId: status.message_id, data: `cancel:${gen.short_id}` });
    await s.tg.deliver(again);
    expect((await s.tg.waitFor(() => s.tg.callbackAnswers.find((a) => a.callback_query_id === again.callback_query!.id))).text).toBe("Эта задача уже отменена.");

    // The rate window that held it back passes; a newer job goes through, the cancelled one never does.
    await taskFor(s.mm, "второй: часы вращаются", 20_000);
    await s.tg.deliver(photoFrom(s.tg, ru, "четвёртый: часы падают").update);
    await taskFor(s.mm, "четвёртый: часы падают", 20_000);
    expect(s.mm.createRequests.filter((r) => String(r.body.prompt).startsWith("третий"))).toEqual([]);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: a job MiniMax refused with a retryable answer went back to the queue and can still be cancelled: never sent, its credit back", { timeout: 60_000 }, async () => {
    const en = user(9420, "en");
    const prompt = "requeued: the kettle steams";
    // MiniMax's rate limit refuses the first create: nothing was made, the job goes back to the queue.
    s.mm.failNextCreate({ code: 1002 });
    const sent = photoFrom(s.tg, en, prompt);
    await s.tg.deliver(sent.update);
    const status = await statusMessage(s.tg, en, sent.messageId);
    await s.mm.waitFor(() => s.mm.createRequests.some((r) => r.body.prompt === prompt && r.outcome === 1002), 20_000, "the refused create");
    await eventually(async () => {
      const g = await s.app.db.models.Generation.findOne({ user_prompt: prompt }).lean();
      return g && g.submit_attempts >= 1 && !g.create_sent_at && ["queued", "submitting"].includes(g.phase);
    }, 10_000, "the job back in the queue");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, status.message_id).flat().includes("✖️ Cancel"), 10_000, "the Cancel button");

    const answer = await press(s.tg, en, status.message_id, "✖️ Cancel");
    expect(answer.text).toBe("Cancelled: this job will not be made, and its credits go back to your balance.");
    const gen = await eventually(async () => {
      const g = await s.app.db.models.Generation.findOne({ user_prompt: prompt }).lean();
      return g?.phase === "failed" && g;
    }, 15_000, "the cancelled job closed");
    expect(gen.error_code).toBe("cancelled");
    const ledger = await s.app.db.models.Ledger.find({ user_id: en.userId }).sort({ seq: 1 }).lean();
    expect(ledger.map((e) => [e.kind, e.credits])).toEqual([["welcome", 3], ["reserve", -1], ["release", 1]]);
    // Rate windows pass: the cancelled job is never sent.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(s.mm.createRequests.filter((r) => r.body.prompt === prompt).map((r) => r.outcome)).toEqual([1002]);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("English: Cancel racing the worker's claim: either cancelled and never sent, or too late and sent once", { timeout: 90_000 }, async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const en = user(9410 + i, "en");
      const prompt = `race ${i}: the cup turns`;
      const sent = photoFrom(s.tg, en, prompt);
      await s.tg.deliver(sent.update);
      const status = await statusMessage(s.tg, en, sent.messageId);
      // Pressed at once, while the worker may be claiming it for its slot.
      const tap = pressUpdate(s.tg, en, status.message_id, "✖️ Cancel");
      await s.tg.deliver(tap);
      const answer = await s.tg.waitFor(() => s.tg.callbackAnswers.find((a) => a.callback_query_id === tap.callback_query!.id), 10_000, "the cancel answer");
      outcomes.push(answer.text!);
      const gen = await eventually(async () => {
        const g = await s.app.db.models.Generation.findOne({ user_prompt: prompt }).lean();
        return g && ["failed", "submitted", "delivering", "delivered"].includes(g.phase) && g;
      }, 20_000, `race ${i} settled`);
      const creates = s.mm.createRequests.filter((r) => r.body.prompt === prompt);
      if (answer.text === "Cancelled: this job will not be made, and its credits go back to your balance.") {
        expect(gen.error_code).toBe("cancelled");
        expect(creates).toEqual([]);
      } else {
        expect(answer.text).toBe("Too late to cancel: MiniMax already has this job. Its credits are charged only if the video is made.");
        expect(creates).toHaveLength(1);
      }
    }
    expect(outcomes.some((o) => o.startsWith("Cancelled"))).toBe(true);
    const cancelled = outcomes.findIndex((o) => o.startsWith("Cancelled"));
    const who = user(9410 + cancelled, "en");
    const { short_id: id } = (await s.app.db.models.Generation.findOne({ user_id: who.userId }).lean())!;
    expect((await ask(s.tg, who, "/status", /^🗂/)).text).toMatch(new RegExp(`\n${id} · 🚫 cancelled · `));
    expect((await ask(s.tg, who, `/status ${id}`, /^Job /)).text).toMatch(new RegExp(`^Job ${id}: 🚫 cancelled\n`));
    // Whatever was cancelled stays unsent, even after more rate windows.
    await new Promise((r) => setTimeout(r, 5_000));
    for (let i = 0; i < 4; i++) {
      if (!outcomes[i]!.startsWith("Cancelled")) continue;
      expect(s.mm.createRequests.filter((r) => r.body.prompt === `race ${i}: the cup turns`)).toEqual([]);
    }
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});
