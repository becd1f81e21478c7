import { GrammyError } from "grammy";

/** Telegram's flood wait (429), in ms, or undefined for any other error. */
export function floodWaitMs(err: unknown): number | undefined {
  if (!(err instanceof GrammyError) || err.error_code !== 429) return undefined;
  return Math.max(1, err.parameters.retry_after ?? 5) * 1000;
}

/** Telegram will never take a message for this chat: the user blocked the bot, or the chat is gone. */
export const telegramRefused = (err: unknown) =>
  err instanceof GrammyError && (err.error_code === 403 || (err.error_code === 400 && /chat not found/i.test(err.description)));
