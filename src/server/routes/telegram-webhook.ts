import Router from "@koa/router";
import { webhookCallback, type Bot } from "grammy";
import type { BotContext } from "../../bot/index.js";
import { secretsEqual } from "../../secrets.js";
import { isStorageUnavailable } from "../../db/errors.js";
import type { Logger } from "../../logger.js";
import { jsonBody, objectBody } from "../middlewares/body.js";
import { TELEGRAM_WEBHOOK_PATH } from "../paths.js";


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
  // Past Telegram's patience we answer anyway; a redelivered update is deduplicated downstream.
  const handleUpdate = webhookCallback(bot, "koa", { onTimeout: "return", timeoutMilliseconds: 9_000 });
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
      try {
        await handleUpdate(ctx);
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
      }
    },
  );
  return router;
}
