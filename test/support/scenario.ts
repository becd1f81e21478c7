import { createHash } from "node:crypto";
import type { Update } from "grammy/types";
import { expect } from "vitest";
import type { FakeTelegram } from "./fake-telegram.js";
import type { FakeMiniMax } from "./fake-minimax.js";
import { makeJpeg } from "./images.js";
import { eventually, type TestApp } from "./app.js";

/** Posts an update straight to one instance's webhook, as Telegram would; returns the HTTP status. */
export async function postUpdate(app: TestApp, update: Update) {
  const res = await fetch(`${app.url}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": app.config.webhookSecret },
    body: JSON.stringify(update),
  });
  await res.text();
  return res.status;
}

export const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export interface TestUser {
  chatId: number;
  userId: number;
  languageCode?: string;
}

export const user = (id: number, languageCode = "en"): TestUser => ({ chatId: id, userId: id, languageCode });

/** Builds a photo update with a fresh JPEG; deliver it with `tg.deliver(sent.update)`. */
export function photoFrom(tg: FakeTelegram, who: TestUser, caption: string | undefined, size: { width: number; height: number } = { width: 1280, height: 720 }) {
  const bytes = makeJpeg(size.width, size.height);
  const update: Update = tg.photoUpdate({ ...who, photo: tg.addPhoto(bytes, size.width, size.height), caption });
  return { update, bytes, messageId: update.message!.message_id };
}

/** The MiniMax task created for `prompt`, once it exists. */
export function taskFor(mm: FakeMiniMax, prompt: string, timeoutMs = 10_000) {
  return eventually(() => [...mm.tasks.values()].find((t) => t.prompt === prompt), timeoutMs, `a MiniMax task for "${prompt}"`);
}

/** The bot's first message in `chatId` that matches. */
export function botMessage(tg: FakeTelegram, chatId: number, match: RegExp, timeoutMs = 10_000) {
  return eventually(() => tg.messages(chatId).find((m) => match.test(m.text ?? m.caption ?? "")), timeoutMs, `a bot message matching ${match}`);
}

/**
 * Waits for the chat's video, then gives duplicates several poll and sweep rounds to show up:
 * exactly one video must arrive, with the bytes MiniMax produced.
 */
export async function expectOneVideo(tg: FakeTelegram, chatId: number, video: Buffer, settleMs = 1_000) {
  await eventually(() => tg.videosSent(chatId).length > 0, 10_000, `a video in chat ${chatId}`);
  await new Promise((r) => setTimeout(r, settleMs));
  expect(tg.videosSent(chatId)).toHaveLength(1);
  expect(tg.videosSent(chatId)[0]!.sha256).toBe(sha256(video));
}

/** The inline button labelled `label` (exactly, or matching) under the bot's message `messageId`. */
export function buttonOf(tg: FakeTelegram, chatId: number, messageId: number, label: string | RegExp) {
  const message = tg.messages(chatId).find((m) => m.message_id === messageId);
  const rows = (message?.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard ?? [];
  return rows.flat().find((b) => (typeof label === "string" ? b.text === label : label.test(b.text)));
}

/** The user taps a button: builds the callback_query update for it (deliver it with `tg.deliver`). */
export function pressUpdate(tg: FakeTelegram, who: TestUser, messageId: number, label: string | RegExp): Update {
  const button = buttonOf(tg, who.chatId, messageId, label);
  if (!button?.callback_data) {
    const texts = (tg.messages(who.chatId).find((m) => m.message_id === messageId)?.reply_markup as { inline_keyboard?: Array<Array<{ text: string }>> } | undefined)?.inline_keyboard?.flat().map((b) => b.text);
    throw new Error(`no button ${label} under message ${messageId}; buttons: ${JSON.stringify(texts)}`);
  }
  return tg.callbackQueryUpdate({ ...who, messageId, data: button.callback_data });
}

/** Taps a button and waits until Telegram has the answer to that callback query. */
export async function press(tg: FakeTelegram, who: TestUser, messageId: number, label: string | RegExp) {
  const update = pressUpdate(tg, who, messageId, label);
  await tg.deliver(update);
  const id = update.callback_query!.id;
  return tg.waitFor(() => tg.callbackAnswers.find((a) => a.callback_query_id === id), 10_000, `answer to the press on ${label}`);
}

/** The labels of the buttons under a bot message, row by row. */
export function buttonLabels(tg: FakeTelegram, chatId: number, messageId: number): string[][] {
  const message = tg.messages(chatId).find((m) => m.message_id === messageId);
  const rows = (message?.reply_markup as { inline_keyboard?: Array<Array<{ text: string }>> } | undefined)?.inline_keyboard ?? [];
  return rows.map((row) => row.map((b) => b.text));
}
