import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import type { Speaker } from "../../telegram/i18n.js";
import { createAccounts, type LedgerEntry } from "../../credits/accounts.js";

const HISTORY_LENGTH = 10;

/** "2026-11-26 09:47" in UTC: the same for every user, whatever their clock. */
const stamp = (at: Date) => at.toISOString().slice(0, 16).replace("T", " ");
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** What a movement was, in the user's words ("bought for 50 ⭐"); the chat's /balance and the studio's balance. */
export function describeMovement(ctx: Speaker, entry: LedgerEntry) {
  return ctx.t(`ledger-${entry.kind}`, { id: entry.short_id ?? "", stars: entry.stars ?? 0 });
}

/** /balance: the credits a user has, and the movements that led there. */
export function balanceFeature({ models, config }: BotDeps) {
  const accounts = createAccounts(models, config);
  const feature = new Composer<BotContext>();
  // Credits, payments and job ids are the user's business: in a group, only a pointer to the private chat.
  feature.chatType(["group", "supergroup", "channel"]).command("balance", (ctx) => replyTo(ctx, "balance-private-only"));
  feature.command("balance", async (ctx) => {
    if (!ctx.from) return;
    const state = await accounts.open(ctx.from.id);
    const history = await accounts.recent(ctx.from.id, HISTORY_LENGTH);
    const lines = history.map((entry) =>
      ctx.t("balance-line", { date: stamp(entry.at), change: signed(entry.credits), what: describeMovement(ctx, entry) }),
    );
    await ctx.reply([ctx.t("balance", { balance: state.balance, inFlight: state.inFlight }), "", ctx.t("balance-history"), ...lines, "", ctx.t("balance-buy")].join("\n"), {
      parse_mode: "HTML",
      reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true },
    });
  });
  // First contact opens the account, so the welcome credits are there before the first photo.
  feature.command("start", async (ctx, next) => {
    if (ctx.from) await accounts.open(ctx.from.id);
    return next();
  });
  return feature;
}
