import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { escapeHtml } from "../../telegram/i18n.js";
import { createAccounts } from "../../credits/accounts.js";
import { createPromos, normalizeCode, PROMO_START, type Redemption } from "../../credits/promos.js";

const MAX_PROMO_CREDITS = 10_000;
const MAX_PROMO_USES = 100_000;
const MAX_PROMO_DAYS = 3_650;
const day = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Promo codes. Admins: /promo add CODE CREDITS [USES] [DAYS], /promo list, /promo off CODE. Everyone:
 * /promo CODE, or the link t.me/<bot>?start=promo_CODE. Each answer says which of redeemed, unknown,
 * expired, used up, already used or too many wrong tries it was.
 */
export function promoFeature({ config, models, logger }: BotDeps) {
  const promos = createPromos(models, createAccounts(models, config));
  const admins = new Set(config.adminUserIds);
  const feature = new Composer<BotContext>();

  const answer = (ctx: BotContext, r: Redemption) =>
    r.kind === "throttled"
      ? replyTo(ctx, "promo-throttled", { minutes: r.minutes })
      : r.kind === "redeemed"
        ? replyTo(ctx, "promo-redeemed", { code: escapeHtml(r.code), credits: r.credits, balance: r.balance })
        : replyTo(ctx, `promo-${r.kind}`, { code: escapeHtml(r.code) });

  async function redeem(ctx: BotContext, raw: string) {
    const result = await promos.redeem(ctx.from!.id, raw);
    if (result.kind === "redeemed") logger.info({ user: ctx.from!.id, code: result.code, credits: result.credits }, "promo code redeemed");
    return answer(ctx, result);
  }

  async function adminCommand(ctx: BotContext, args: string[]) {
    const [verb, ...rest] = args;
    if (verb === "list") {
      const codes = await promos.list();
      if (!codes.length) return replyTo(ctx, "promo-list-empty");
      const lines = codes.map((c) =>
        ctx.t("promo-list-line", { code: c._id, credits: c.credits, used: c.used, uses: c.uses, until: c.expires_at ? day(c.expires_at) : "—", state: c.off ? "off" : "on" }),
      );
      return ctx.reply([ctx.t("promo-list"), ...lines].join("\n"), { parse_mode: "HTML", reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true } });
    }
    if (verb === "off") {
      const code = rest.length === 1 ? normalizeCode(rest[0]!) : null;
      if (!code) return replyTo(ctx, "promo-admin-usage");
      return replyTo(ctx, (await promos.turnOff(code)) ? "promo-off-done" : "promo-unknown", { code });
    }
    // add CODE CREDITS [USES] [DAYS]
    const code = normalizeCode(rest[0] ?? "");
    const [credits, uses = 1, days] = rest.slice(1).map((n) => (/^\d{1,7}$/.test(n) ? Number(n) : NaN));
    const valid = (n: number | undefined, max: number) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= max;
    if (!code || rest.length < 2 || rest.length > 4 || !valid(credits, MAX_PROMO_CREDITS) || !valid(uses, MAX_PROMO_USES) || (days !== undefined && !valid(days, MAX_PROMO_DAYS))) {
      return replyTo(ctx, "promo-admin-usage");
    }
    if (!(await promos.add(code, credits!, uses, days, ctx.from!.id))) return replyTo(ctx, "promo-exists", { code });
    logger.info({ admin: ctx.from!.id, code, credits, uses, days }, "promo code added");
    return replyTo(ctx, "promo-added", { code, credits: credits!, uses, link: `https://t.me/${ctx.me.username}?start=${PROMO_START}${code.toLowerCase()}`, days: days ?? 0 });
  }

  feature.command("promo", async (ctx) => {
    if (!ctx.from) return;
    const args = ctx.match.trim().split(/\s+/).filter(Boolean);
    if (admins.has(ctx.from.id) && ["add", "list", "off"].includes(args[0] ?? "")) return adminCommand(ctx, args);
    if (args.length !== 1) return replyTo(ctx, "promo-usage");
    return redeem(ctx, args[0]!);
  });

  feature.chatType("private").command("start", async (ctx, next) => {
    const payload = ctx.match.trim();
    if (!payload.startsWith(PROMO_START)) return next();
    await next(); // the usual welcome first (it opens the account)
    return redeem(ctx, payload.slice(PROMO_START.length));
  });
  return feature;
}
