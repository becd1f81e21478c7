import { GrammyError } from "grammy";

/** Telegram's flood wait (429), in ms, or undefined for any other error. */
export function floodWaitMs(err: unknown): number | undefined {
  if (!(err instanceof GrammyError) || err.error_code !== 429) return undefined;
  return Math.max(1, err.parameters.retry_after ?? 5) * 1000;
}

/** Telegram will never take a message for this chat: the user blocked the bot, or the chat is gone. */
export const telegramRefused = (err: unknown) =>
  err instanceof GrammyError && (err.error_code === 403 || (err.error_code === 400 && /chat not found/i.test(err.description)));

/**
 * The item of an album Telegram could not send, 0-based: the Bot API server names it in its error
 * ("Bad Request: failed to send message #2 with the error message …"). Undefined when none is named.
 */
export function albumItemRefused(err: unknown): number | undefined {
  if (!(err instanceof GrammyError)) return undefined;
  const named = /failed to send message #(\d+)/i.exec(err.description);
  return named ? Number(named[1]) - 1 : undefined;
}
