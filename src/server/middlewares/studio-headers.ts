import type { Middleware } from "koa";

/** Telegram's web clients frame Mini Apps; the mobile and desktop apps open them in a webview. */
const TELEGRAM_FRAMES = ["https://web.telegram.org", "https://webk.telegram.org", "https://webz.telegram.org"];

/**
 * Strict: scripts, styles, images, video and requests from our own origin only, so nothing inline
 * and nothing from elsewhere runs; framing allowed to Telegram's web clients alone.
 */
export const STUDIO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "media-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  `frame-ancestors 'self' ${TELEGRAM_FRAMES.join(" ")}`,
].join("; ");

/** The security headers of every studio answer: the page, its assets, its API and its media. */
export function studioHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set({
      "Content-Security-Policy": STUDIO_CSP,
      "X-Content-Type-Options": "nosniff",
      // Media links carry a token: no page we link to learns them.
      "Referrer-Policy": "no-referrer",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    });
    await next();
  };
}
