import { Composer, GrammyError } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { escapeHtml } from "../../telegram/i18n.js";
import { createAccounts } from "../../credits/accounts.js";
import { refundKey, paymentKey } from "../../credits/payments.js";
import { settleRefund } from "../../credits/settle.js";
import { createNotifier } from "../../credits/notify.js";
import { referralCounts } from "../../credits/referrals.js";
import type { Models } from "../../db/models.js";

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/**
 * /grant, /refund and /stats for the users in ADMIN_USER_IDS. For anyone else these commands do
 * not exist: they fall through to the ordinary unknown-command answer.
 */
export function adminFeature({ config, models, logger, t }: BotDeps) {
  const accounts = createAccounts(models, config);
  const admins = new Set(config.adminUserIds);
  const feature = new Composer<BotContext>();
  const admin = feature.filter((ctx) => ctx.from !== undefined && admins.has(ctx.from.id));

  admin.command("grant", async (ctx) => {
    const match = /^(\d+)\s+(-?\d+)$/.exec(ctx.match.trim());
    if (!match) return replyTo(ctx, "grant-usage");
    const [userId, delta] = [Number(match[1]), Number(match[2])];
    // Keyed by the command message: a redelivered update grants nothing more.
    const result = await accounts.apply(userId, `grant:${ctx.chat.id}:${ctx.msg.message_id}`, (state) => ({
      kind: "grant",
      // A negative grant stops at zero (and takes nothing from a balance a refund left below zero).
      credits: Math.max(delta, -Math.max(0, state.balance)),
      by: ctx.from!.id,
    }));
    if (result.kind !== "applied") return replyTo(ctx, "grant-repeated");
    logger.info({ admin: ctx.from!.id, user: userId, credits: result.entry.credits }, "credits granted");
    return replyTo(ctx, "grant-done", { user: String(userId), change: signed(result.entry.credits), balance: result.state.balance });
  });

  admin.command("refund", async (ctx) => {
    const chargeId = ctx.match.trim();
    if (!chargeId || /\s/.test(chargeId)) return replyTo(ctx, "refund-usage");
    const payment = await accounts.byKey(paymentKey(chargeId));
    if (payment?.kind !== "purchase") return replyTo(ctx, "refund-unknown", { id: escapeHtml(chargeId.slice(0, 80)) });
    if (!(await accounts.byKey(refundKey(chargeId)))) {
      try {
        await ctx.api.refundStarPayment(payment.user_id, chargeId);
      } catch (err) {
        // Refunded already (by an earlier /refund whose answer was lost): the credits still go.
        if (!(err instanceof GrammyError && /ALREADY_REFUNDED/i.test(err.description))) {
          return replyTo(ctx, "refund-failed", { reason: escapeHtml(err instanceof GrammyError ? err.description : (err as Error).message) });
        }
      }
    }
    const result = await settleRefund(accounts, chargeId, ctx.from!.id);
    if (result.kind === "unknown") return replyTo(ctx, "refund-unknown", { id: escapeHtml(chargeId.slice(0, 80)) });
    const notifier = createNotifier({ models, telegram: ctx.api, t, logger });
    for (const m of result.told) await notifier.tell(m.userId, m.key, m.variables);
    logger.info({ admin: ctx.from!.id, user: result.userId, credits: result.credits }, "payment refunded");
    return replyTo(ctx, "refund-done", { user: String(result.userId), stars: result.stars, credits: result.credits, balance: result.balance });
  });

  admin.command("stats", async (ctx) => {
    const none = ctx.t("stats-none");
    const [figures, templates, referrals, plans] = await Promise.all([
      stats(models, none),
      topTemplatesOfWeek(models),
      referralCounts(models),
      // Plans whose paid period has not run out: one latest payment per subscriber.
      models.Ledger.distinct("user_id", { kind: "purchase", renews_until: { $gt: new Date() } }),
    ]);
    const text = [ctx.t("stats", figures), ctx.t("stats-templates", { list: listed(templates, none) }), ctx.t("stats-business", { ...referrals, plans: plans.length })].join("\n");
    return ctx.reply(text, { parse_mode: "HTML", reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } });
  });
  return feature;
}

const listed = (groups: Array<{ _id: unknown; n: number }>, none: string) =>
  groups.length ? groups.map((g) => `${String(g._id ?? "?")} ${g.n}`).join(", ") : none;

const TOP_TEMPLATES_LISTED = 5;

/** The templates most jobs were made with in the last 7 days, by id (the operator's own names for them). */
function topTemplatesOfWeek(models: Models) {
  return models.Generation.aggregate<{ _id: string; n: number }>([
    { $match: { created_at: { $gte: new Date(Date.now() - 7 * 86_400_000) }, template: { $exists: true } } },
    { $group: { _id: "$template", n: { $sum: 1 } } },
    { $sort: { n: -1, _id: 1 } },
    { $limit: TOP_TEMPLATES_LISTED },
  ]);
}

async function stats(models: Models, none: string) {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  // One accumulator per $group: FerretDB 1.24 fills in only the first of several.
  const total = async (kind: "capture" | "purchase" | "refund", field: "price" | "credits" | "stars") => {
    const [row] = await models.Ledger.aggregate<{ n: number }>([{ $match: { kind } }, { $group: { _id: null, n: { $sum: `$${field}` } } }]);
    return row?.n ?? 0;
  };
  const [users, phases, failures, spent, sold, stars, refundedStars, telegram] = await Promise.all([
    models.Ledger.countDocuments({ kind: "welcome" }),
    models.Generation.aggregate<{ _id: string; n: number }>([{ $match: { created_at: { $gte: today } } }, { $group: { _id: "$phase", n: { $sum: 1 } } }, { $sort: { _id: 1 } }]),
    models.Generation.aggregate<{ _id: string; n: number }>([
      { $match: { created_at: { $gte: today }, phase: { $in: ["notifying", "failed"] } } },
      { $group: { _id: "$error_code", n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]),
    total("capture", "price"),
    total("purchase", "credits"),
    total("purchase", "stars"),
    total("refund", "stars"),
    // Telegram's own account, as far as the reconciliation has read it (credits/reconcile.ts).
    models.StarsCursor.findById("stars").lean(),
  ]);
  return {
    users,
    phases: listed(phases, none),
    failures: listed(failures, none),
    spent,
    sold,
    stars,
    at: telegram?.at ? telegram.at.toISOString().slice(0, 16).replace("T", " ") + " UTC" : none,
    tgIn: telegram?.stars_in ?? 0,
    tgRefunded: telegram?.stars_refunded ?? 0,
    ledgerIn: stars,
    ledgerRefunded: refundedStars,
    diffIn: (telegram?.stars_in ?? 0) - stars,
    diffRefunded: (telegram?.stars_refunded ?? 0) - refundedStars,
  };
}
