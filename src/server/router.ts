import Router, { type RouterOptions } from "@koa/router";

/**
 * Every router of the app. Case-sensitive: @koa/router otherwise matches a route whatever its case
 * but runs `router.use()` middleware (the launch-data check, the studio's headers) only on the exact
 * case, so `/APP/api/me` would reach a handler past its guards.
 */
export const caseSensitiveRouter = (opts: Omit<RouterOptions, "sensitive"> = {}) => new Router({ ...opts, sensitive: true });
