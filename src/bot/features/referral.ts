import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { createAccounts } from "../../credits/accounts.js";
import { linkInvitee, referralCounts, referralLink, REFERRAL_START } from "../../credits/referrals.js";

/**
 * Referral links. /invite shows the user's personal link (t.me/<bot>?start=ref_<code>) and what it
 * earns; a user never seen before who starts the bot through one is linked to its inviter, once.
 * The bonuses come with the invited user's first Stars payment (credits/settle.ts).
 * Registered before the feature that opens accounts on /start: the link is made by that opening.
 */
export function referralFeature({ config, models, logger }: BotDeps) {
  const accounts = createAccounts(models, config);
  const feature = new Composer<BotContext>();
  const bonuses = { inviter: config.referralBonusInviter, invitee: config.referralBonusInvitee };

  feature.chatType("private").command("invite", async (ctx) => {
    await accounts.open(ctx.from.id);
    const { invites, payers } = await referralCounts(models, ctx.from.id);
    return replyTo(ctx, "invite", { link: referralLink(ctx.me.username, config.referralSecret, ctx.from.id), ...bonuses, invites, payers });
  });
  feature.command("invite", (ctx) => replyTo(ctx, "invite-private-only"));

  feature.chatType("private").command("start", async (ctx, next) => {
    const payload = ctx.match.trim();
    if (!payload.startsWith(REFERRAL_START)) return next();
    const outcome = await linkInvitee(accounts, models, config.referralSecret, ctx.from.id, payload.slice(REFERRAL_START.length));
    if (outcome === "linked") logger.info({ user: ctx.from.id }, "invited user linked to their inviter");
    await next(); // the usual welcome first
    return replyTo(ctx, `referral-${outcome}`, bonuses);
  });
  return feature;
}
