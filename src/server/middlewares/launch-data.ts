import type { Context, Middleware } from "koa";
import { checkInitData, type WebAppUser } from "../../telegram/init-data.js";

export interface LaunchDataOptions<V> {
  botToken: string;
  maxAgeS: number;
  /** ALLOWED_USER_IDS: a user it leaves out gets 403, before anything is read for them. */
  admits: (userId: number) => boolean;
  /** The refusal in the user's language (the launch data names it). */
  refusal: (languageCode: string | undefined) => string;
  /** Who the checked launch data names, as the routes see them (ctx.state.viewer). */
  viewer: (user: WebAppUser, authDate: number) => Promise<V>;
}

/**
 * Every studio API call carries the Mini App's launch data in `Authorization: tma <initData>`.
 * Unsigned, tampered, expired or another bot's: 401, and nothing else runs; a user ALLOWED_USER_IDS
 * leaves out: 403, the same gate as the chat's. The launch data is never logged (errorMiddleware logs
 * the path alone).
 */
export function requireLaunchData<V>(opts: LaunchDataOptions<V>): Middleware {
  return async (ctx, next) => {
    const raw = /^tma (.+)$/.exec(ctx.get("Authorization"))?.[1];
    const check = checkInitData(raw, opts.botToken, { maxAgeS: opts.maxAgeS });
    if (!check.ok) {
      ctx.status = 401;
      ctx.body = { ok: false, error: "Unauthorized", reason: check.reason };
      return;
    }
    if (!opts.admits(check.user.id)) {
      ctx.status = 403;
      ctx.body = { ok: false, error: "Forbidden", text: opts.refusal(check.user.language_code) };
      return;
    }
    ctx.state.viewer = await opts.viewer(check.user, check.authDate);
    await next();
  };
}

/** The viewer requireLaunchData found; a route reached without that check fails closed with 401. */
export function launchDataViewer<V>(ctx: Context): V {
  const viewer = ctx.state.viewer as V | undefined;
  return viewer ?? ctx.throw(401, "Unauthorized");
}
