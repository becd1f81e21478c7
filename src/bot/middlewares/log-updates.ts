import type { MiddlewareFn } from "grammy";
import type { Logger } from "../../logger.js";
import type { BotContext } from "../context.js";

/** What an update is, without its content: message texts and captions are the users' own. */
function kindOf(ctx: BotContext): string {
  const msg = ctx.message;
  if (!msg) return Object.keys(ctx.update).find((k) => k !== "update_id") ?? "unknown";
  if (msg.photo) return msg.media_group_id ? "album_photo" : "photo";
  if (msg.document) return "document";
  if (msg.text?.startsWith("/")) return `command:${msg.text.slice(1).split(/[\s@]/, 1)[0]!.slice(0, 32)}`;
  if (msg.text !== undefined) return "text";
  return "message_other";
}

/** One line per update, once it has been handled: what it was, whose, and how long it took. */
export function logUpdates(logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const started = performance.now();
    let failed = false;
    try {
      await next();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      logger.info(
        { update: ctx.update.update_id, kind: kindOf(ctx), user: ctx.from?.id, failed, durationMs: Math.round(performance.now() - started) },
        "update handled",
      );
    }
  };
}
