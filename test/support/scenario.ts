import { createHash } from "node:crypto";
import type { Update } from "grammy/types";
import { expect } from "vitest";
import type { FakeTelegram } from "./fake-telegram.js";
import type { FakeMiniMax } from "./fake-minimax.js";
import { makeJpeg } from "./images.js";
import { eventually } from "./app.js";

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
