import type { Bot } from "grammy";
import type { BotContext } from "./context.js";
import type { Logger } from "../logger.js";
import { isStorageUnavailable } from "../db/errors.js";

/**
 * Long polling that never skips an update it could not store. grammY handles a batch one update at
 * a time and confirms the offset only when it asks for the next batch, so retrying inside the error
 * handler holds the offset until the update is stored (MongoDB is back). Handling is idempotent, so
 * a retry after a half-done attempt is safe. Any other failure (a bug, bad input) is logged and the
 * update is passed over, so one poisoned update cannot stop the bot.
 */
export function retryUnstoredUpdates(bot: Bot<BotContext>, opts: { logger: Logger; retryBaseMs: number }) {
  const { logger } = opts;
  let stopping = false;
  let pending: number | undefined;
  let wake = () => {};

  bot.catch(async (err) => {
    if (!isStorageUnavailable(err.error)) {
      logger.error({ err: err.message, update: err.ctx.update.update_id }, "unhandled bot error");
      return;
    }
    const update = err.ctx.update;
    pending = update.update_id;
    for (let attempt = 1; !stopping; attempt++) {
      const delay = Math.min(1_000, opts.retryBaseMs * 2 ** (attempt - 1));
      logger.warn({ update: update.update_id, attempt, retryInMs: delay }, "update not stored (MongoDB unavailable); handling it again");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => (clearTimeout(timer), resolve());
      });
      if (stopping) break;
      try {
        await bot.handleUpdate(update);
        logger.info({ update: update.update_id }, "update handled after the database came back");
        break;
      } catch (retryErr) {
        if (!isStorageUnavailable(retryErr)) {
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
