import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { replyTo } from "../context.js";

/** Whatever no feature took (stickers, videos, voice, plain text, unknown commands): say what we accept. */
export function fallbackFeature() {
  const feature = new Composer<BotContext>();
  feature.chatType("private").on("message", (ctx) => replyTo(ctx, "unsupported"));
  return feature;
}
