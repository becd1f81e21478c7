/** The public paths: the proxy in front of the bot forwards exactly these two. */
export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";
export const MINIMAX_CALLBACK_PATH = "/api/minimax_callback";
/** The studio Mini App: its page under /app, its JSON API under /app/api (public too, when it is on). */
export const STUDIO_PATH = "/app";
export const STUDIO_API_PATH = `${STUDIO_PATH}/api`;
