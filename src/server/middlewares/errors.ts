import { STATUS_CODES } from "node:http";
import type { Middleware } from "koa";
import type { Logger } from "../../logger.js";
import { isStorageUnavailable } from "../../db/errors.js";

/**
 * The first middleware: every failure becomes a small JSON answer without a stack trace, and an
 * unmatched path is a JSON 404. Body-parser errors carry their status (400 bad JSON, 413 too large),
 * and a database that cannot be reached is a 503.
 */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.throw(404);
    } catch (err) {
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      // MongoDB away: 503, so Telegram and MiniMax deliver again later (nothing was acknowledged).
      const status = isStorageUnavailable(err) ? 503 : (e.status ?? e.statusCode ?? 500);
      ctx.status = status >= 400 && status < 600 ? status : 500;
      let message = STATUS_CODES[ctx.status] ?? "Error";
      if (e.type === "entity.parse.failed") message = "Malformed JSON";
      else if (ctx.status < 500 && e.expose && e.message) message = e.message;
      ctx.body = { ok: false, error: message };
      // A body we refused part-way is still on the wire; keeping the connection would leave the
      // client's next request stuck behind it.
      if (!ctx.req.readableEnded) ctx.set("Connection", "close");
      if (ctx.status >= 500) logger.error({ err: e.message, path: ctx.path }, "request failed");
    }
  };
}
