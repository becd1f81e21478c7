/** The public paths: the proxy in front of the bot forwards exactly these two. */
export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";
export const MINIMAX_CALLBACK_PATH = "/api/minimax_callback";
