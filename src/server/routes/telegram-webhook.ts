import { caseSensitiveRouter } from "../router.js";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../../bot/index.js";
import type { Inbox } from "../../bot/inbox.js";
import { mustRedeliver, unwrapBotError } from "../../bot/redelivery.js";
import { secretsEqual } from "../../secrets.js";
import { isStorageUnavailable } from "../../db/errors.js";
import type { Logger } from "../../logger.js";
import { jsonBody, objectBody } from "../middlewares/body.js";
import { TELEGRAM_WEBHOOK_PATH } from "../paths.js";

/**
 * How long an update may take before Telegram is answered anyway. Telegram waits about 10 s; a
 * little is left for storing the update first.
 */
export const WEBHOOK_ANSWER_MS = 8_000;

/**
 * Telegram's updates, accepted only with the secret we registered (compared in constant time).
 * Telegram is told 200 only once an update's effect is stored, or is certain to be:
 * - handled in time: 200;
 * - failed in a way that must come back (the database away, a payment that did not go through):
 *   a 5xx, and Telegram sends it again;
 * - still running when Telegram's patience ends: the update is stored in the inbox first (200 once
 *   it is), and if its handling then fails it is handled again from there; should even the inbox
 *   be out of reach, the 5xx asks Telegram for another copy.
 */
export function telegramWebhookRoutes({
  bot,
  inbox,
  secret,
  isAccepting,
  logger,
  answerWithinMs = WEBHOOK_ANSWER_MS,
}: {
  bot: Bot<BotContext>;
  inbox: Inbox;
  secret: string;
  isAccepting: () => boolean;
  logger: Logger;
  answerWithinMs?: number;
}) {
  const router = caseSensitiveRouter();
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
      const handling = bot.handleUpdate(update);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        handling.then(
          () => ({ kind: "done" as const }),
          (err: unknown) => ({ kind: "failed" as const, err: unwrapBotError(err) }),
        ),
        new Promise<{ kind: "slow" }>((resolve) => (timer = setTimeout(() => resolve({ kind: "slow" }), answerWithinMs))),
      ]);
      clearTimeout(timer);
      if (outcome.kind === "slow") {
        try {
          await inbox.keep(update, handling);
        } catch (err) {
          // Neither done nor stored: Telegram's next copy is the way back (effects are keyed, so it adds nothing twice).
          handling.catch(() => undefined);
          logger.warn({ update: update.update_id, err: (err as Error).message }, "slow update could not be kept; Telegram will redeliver it");
          ctx.throw(503, "Update not stored");
        }
        logger.info({ update: update.update_id, afterMs: answerWithinMs }, "slow update kept; acknowledged, and handled again should it fail");
      } else if (outcome.kind === "failed") {
        if (mustRedeliver(update, outcome.err)) {
          const why = isStorageUnavailable(outcome.err) ? "MongoDB unavailable" : "a payment not recorded";
          logger.warn({ update: update.update_id, err: (outcome.err as Error)?.message }, `update not stored (${why}); Telegram will redeliver it`);
          ctx.throw(503, "Update not stored");
        }
        // A bug or an input we cannot handle: acknowledged, or Telegram would retry it forever.
        logger.error({ err: (outcome.err as Error)?.message }, "update failed; acknowledged anyway");
      }
      ctx.status = 200;
      ctx.body = { ok: true };
    },
  );
  return router;
}
