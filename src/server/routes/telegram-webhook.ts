import Router from "@koa/router";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../../bot/index.js";
import { secretsEqual } from "../../secrets.js";
import { isStorageUnavailable } from "../../db/errors.js";
import type { Logger } from "../../logger.js";
import { jsonBody, objectBody } from "../middlewares/body.js";

export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";
/** How long Telegram is kept waiting for one update (it gives up at some point and delivers again). */
const UPDATE_PATIENCE_MS = 9_000;

/** Telegram's updates, accepted only with the secret we registered (compared in constant time). */
export function telegramWebhookRoutes({
  bot,
  secret,
  isAccepting,
  logger,
}: {
  bot: Bot<BotContext>;
  secret: string;
  isAccepting: () => boolean;
  logger: Logger;
}) {
  const router = new Router();
  router.post(
    TELEGRAM_WEBHOOK_PATH,
    async (ctx, next) => {
      const given = ctx.get("X-Telegram-Bot-Api-Secret-Token");
      if (!(given && secretsEqual(given, secret))) ctx.throw(401, "Unauthorized");
      // While shutting down, Telegram keeps the update and delivers it again (to whichever instance is up).
      if (!isAccepting()) ctx.throw(503, "Shutting down");
      await next();
    },
    jsonBody(),
    async (ctx, next) => {
      const update = objectBody(ctx.request.body);
      if (!(update && typeof update.update_id === "number")) ctx.throw(400, "Expected a Telegram update");
      await next();
    },
    async (ctx) => {
      const update = ctx.request.body as unknown as Update;
      let slow: NodeJS.Timeout | undefined;
      const handling = bot.handleUpdate(update);
      try {
        const outcome = await Promise.race([
          handling.then(() => "done" as const),
          new Promise<"slow">((resolve) => (slow = setTimeout(resolve, UPDATE_PATIENCE_MS, "slow"))),
        ]);
        if (outcome === "slow") {
          // Not acknowledged: Telegram delivers it again, and if this attempt stored it meanwhile the
          // redelivery is a no-op. Acknowledging it would lose it should this attempt fail yet.
          handling.catch((err: Error) => logger.warn({ update: update.update_id, err: err.message }, "a slow update failed; Telegram's redelivery retries it"));
          ctx.status = 503;
          ctx.body = { ok: false, error: "Still working on it" };
          return;
        }
        ctx.body = "";
      } catch (err) {
        // Not stored: a 5xx (from the error middleware) makes Telegram deliver it again later.
        if (isStorageUnavailable(err)) {
          logger.warn({ update: (ctx.request.body as { update_id?: number }).update_id }, "update not stored (MongoDB unavailable); Telegram will redeliver it");
          throw err;
        }
        // A bug or an input we cannot handle: acknowledged, or Telegram would retry it forever.
        logger.error({ err: (err as Error).message }, "update failed; acknowledged anyway");
        ctx.status = 200;
        ctx.body = { ok: true };
      } finally {
        clearTimeout(slow);
      }
    },
  );
  return router;
}
