import { FAILURE_KINDS } from "../minimax/errors.js";

/** error_code of a video MiniMax made (and was paid for) that delivery gave up on after DELIVERY_TIMEOUT_MIN. */
export const UNDELIVERED = "undelivered";
/** error_code of a video MiniMax made whose chat refused it (the user blocked the bot, the chat is gone). */
export const UNDELIVERABLE = "undeliverable";

/** Every error_code a job can end with: MiniMax's failure kinds, the user's Cancel, and the two undelivered videos. */
export const ENDING_CODES = [...FAILURE_KINDS, "cancelled", UNDELIVERED, UNDELIVERABLE] as const;

/** What became of an ending job's reservation: given back, or kept because MiniMax made the video. */
export type CreditsOutcome = "released" | "captured";

/**
 * The message that ends a job without a video: the reply to the photo (`notice`) or the final text
 * of its status message (`status`). Each of them says where the credits went, so the key follows
 * the credits: a video MiniMax made stays charged, and is told so whatever its error code. A job
 * cancelled once MiniMax had its task (`reachedMiniMax`: cancelled there while queued) says so.
 */
export function endingKey(errorCode: string | null | undefined, where: "notice" | "status", credits: CreditsOutcome = "released", reachedMiniMax = false): string {
  if (credits === "captured" || errorCode === UNDELIVERED || errorCode === UNDELIVERABLE) return "failed-undelivered";
  if (errorCode === "cancelled") return `${where === "status" ? "progress" : "failed"}-cancelled${reachedMiniMax ? "-at-minimax" : ""}`;
  return (FAILURE_KINDS as readonly string[]).includes(errorCode ?? "") ? `failed-${errorCode}` : "failed-error";
}
