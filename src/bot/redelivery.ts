import type { Update } from "grammy/types";
import { isStorageUnavailable } from "../db/errors.js";

/** The handler's own error inside grammY's BotError (bot.handleUpdate wraps whatever a middleware threw). */
export const unwrapBotError = (err: unknown): unknown =>
  err && typeof err === "object" && (err as { name?: string }).name === "BotError" ? (err as { error?: unknown }).error : err;

/** Telegram sends these once: a payment lost here is money the user paid for nothing. */
export const isPaymentUpdate = (update: Update) => Boolean(update.message?.successful_payment || update.message?.refunded_payment);

/**
 * Whether a failed update must come back rather than be acknowledged: when it could not be stored
 * for want of the database, and when it is a payment, whatever the error (a write-lock timeout, a
 * write concern not met: a failure that may well pass on the next try). Handling it again is safe:
 * every effect is keyed (a payment by its charge id), so a second run finds it done.
 */
export function mustRedeliver(update: Update, err: unknown): boolean {
  return isStorageUnavailable(err) || isPaymentUpdate(update);
}
