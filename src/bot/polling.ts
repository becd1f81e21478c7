import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "./context.js";
import type { Logger } from "../logger.js";
import { isStorageUnavailable } from "../db/errors.js";
import { mustRedeliver, unwrapBotError } from "./redelivery.js";
import type { Inbox } from "./inbox.js";

/** A payment failing for another reason than an outage is retried here this long, then kept in the inbox. */
const INLINE_RETRY_MS = 30_000;

/**
 * Long polling that never skips an update it could not store, nor a payment it could not record.
 * grammY handles a batch one update at a time and confirms the offset only when it asks for the
 * next batch, so retrying inside the error handler holds the offset until the update is stored
 * (MongoDB is back). A payment that keeps failing with the database up is stored in the inbox
 * instead, which handles it again later, so one payment cannot hold up every other user. Handling
 * is idempotent, so a retry after a half-done attempt is safe. Any other failure (a bug, bad input)
 * is logged and the update is passed over, so one poisoned update cannot stop the bot.
 */
export function retryUnstoredUpdates(bot: Bot<BotContext>, opts: { logger: Logger; retryBaseMs: number; inbox: Pick<Inbox, "defer"> }) {
  const { logger } = opts;
  let stopping = false;
  let pending: number | undefined;
  let wake = () => {};

  /** Stored for a later retry: true when the offset may move on. */
  async function keptForLater(update: Update, err: unknown) {
    try {
      await opts.inbox.defer(update, err);
      logger.warn({ update: update.update_id, err: (err as Error).message }, "payment not recorded yet; kept in the inbox for another try");
      return true;
    } catch {
      return false;
    }
  }

  bot.catch(async (err) => {
    const update = err.ctx.update;
    if (!mustRedeliver(update, err.error)) {
      logger.error({ err: err.message, update: update.update_id }, "unhandled bot error");
      return;
    }
    pending = update.update_id;
    const started = Date.now();
    let lastErr: unknown = err.error;
    for (let attempt = 1; !stopping; attempt++) {
      if (!isStorageUnavailable(lastErr) && Date.now() - started > INLINE_RETRY_MS && (await keptForLater(update, lastErr))) break;
      const delay = Math.min(1_000, opts.retryBaseMs * 2 ** (attempt - 1));
      const why = isStorageUnavailable(lastErr) ? "MongoDB unavailable" : "a payment not recorded";
      logger.warn({ update: update.update_id, attempt, retryInMs: delay, err: (lastErr as Error)?.message }, `update not stored (${why}); handling it again`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => (clearTimeout(timer), resolve());
      });
      if (stopping) break;
      try {
        await bot.handleUpdate(update);
        logger.info({ update: update.update_id }, isStorageUnavailable(lastErr) ? "update handled after the database came back" : "update handled on a later try");
        break;
      } catch (retryErr) {
        lastErr = unwrapBotError(retryErr);
        if (!mustRedeliver(update, lastErr)) {
          logger.error({ err: (retryErr as Error).message, update: update.update_id }, "unhandled bot error");
          break;
        }
      }
    }
    if (!stopping) pending = undefined;
  });

  return {
    /**
     * Call right before bot.stop(): an update still waiting for the database is left unconfirmed
     * (bot.stop() confirms the offset after the last update tried), so Telegram hands it out again.
     */
    beforeStop() {
      stopping = true;
      wake();
      if (pending !== undefined) {
        // grammY keeps the offset in this field; one below the waiting update leaves it unconfirmed.
        (bot as unknown as { lastTriedUpdateId: number }).lastTriedUpdateId = pending - 1;
        logger.warn({ update: pending }, "stopping with an update not yet stored; Telegram will deliver it again");
      }
    },
  };
}
