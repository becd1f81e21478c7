import type { CreateResult } from "../generations/create.js";
import { admitRequest, type Announcer, type Request } from "../intake/requests.js";
import type { BotContext, BotDeps } from "./context.js";
import { replyTo } from "./context.js";

/** The announcer for an update: the messages go to the update's chat, in the user's language. */
export async function announcerOf(ctx: BotContext): Promise<Announcer> {
  return { api: ctx.api, locale: await ctx.i18n.getLocale(), t: (_, key, variables) => ctx.t(key, variables), origin: { update: ctx.update.update_id } };
}

/** admitRequest for an update: the status message and any refusal answer the update's chat. */
export async function admit(ctx: BotContext, deps: BotDeps, req: Request): Promise<CreateResult> {
  const result = await admitRequest(deps, req, await announcerOf(ctx));
  // A refusal says how to ask again: send the photo, or press the button under the video again.
  const source = req.variationOf ? "button" : "photo";
  if (result.kind === "limit") await replyTo(ctx, "limit-reached", { max: result.max, source });
  if (result.kind === "credits") await replyTo(ctx, "credits-short", { price: result.price, balance: result.balance, source });
  return result;
}

