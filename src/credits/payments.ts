import type { Config } from "../config.js";
import type { Accounts } from "./accounts.js";

export const STARS = "XTR";

export interface Pack {
  credits: number;
  stars: number;
  /** A monthly plan (a Stars subscription), not a one-off pack. */
  plan?: boolean;
}

/** Telegram's one subscription period: 30 days, in seconds. */
export const SUBSCRIPTION_PERIOD_S = 2_592_000;

/** The invoice payload names the pack (or the plan), so a payment says by itself what it bought. */
export const payloadFor = (pack: Pack) => `${pack.plan ? "plan" : "credits"}:${pack.credits}:${pack.stars}`;

export function packOf(payload: string): Pack | null {
  const match = /^(credits|plan):(\d+):(\d+)$/.exec(payload);
  if (!match) return null;
  const pack: Pack = { credits: Number(match[2]), stars: Number(match[3]) };
  return match[1] === "plan" ? { ...pack, plan: true } : pack;
}

type Say = (key: string, variables?: Record<string, string | number>) => string;

/**
 * The invoice of a pack, in the buyer's language: the same for /buy's invoice message and the
 * studio's invoice link. The description names a default video: its length and price.
 */
export function packInvoice(pack: Pack, video: { seconds: number; price: number }, say: Say) {
  return {
    title: say("invoice-title", { credits: pack.credits }),
    description: say("invoice-description", { credits: pack.credits, seconds: video.seconds, price: video.price }),
    payload: payloadFor(pack),
    currency: STARS,
    prices: [{ label: say("invoice-label", { credits: pack.credits }), amount: pack.stars }],
  };
}

/**
 * A plan's subscription invoice, for createInvoiceLink (sendInvoice takes no subscription period):
 * the plan's credits every 30 days.
 */
export function planInvoice(plan: Pack, video: { seconds: number; price: number }, say: Say) {
  return {
    title: say("plan-invoice-title", { credits: plan.credits }),
    description: say("plan-invoice-description", { credits: plan.credits, seconds: video.seconds, price: video.price }),
    payload: payloadFor({ ...plan, plan: true }),
    currency: STARS,
    prices: [{ label: say("plan-invoice-title", { credits: plan.credits }), amount: plan.stars }],
  };
}

/** A checkout may go ahead only for a pack (or a plan) on sale now, at its price, in Stars. */
export function checkoutPack(config: Pick<Config, "starsPacks" | "plans">, q: { invoice_payload: string; currency: string; total_amount: number }): Pack | null {
  const pack = packOf(q.invoice_payload);
  if (!pack || q.currency !== STARS || q.total_amount !== pack.stars) return null;
  return (pack.plan ? config.plans : config.starsPacks).some((p) => p.credits === pack.credits && p.stars === pack.stars) ? pack : null;
}

export const paymentKey = (chargeId: string) => `payment:${chargeId}`;
export const refundKey = (chargeId: string) => `refund:${chargeId}`;

/**
 * Credits a successful payment once: the key is Telegram's charge id, so a redelivered update or a
 * second instance handling the same message finds it done. The credits come from the payload the
 * bot itself put on the invoice, checked against the amount paid. A plan's first payment and each
 * renewal have charge ids of their own, so each credits the plan once; `renewsUntil` is when the
 * period it paid for ends (successful_payment's subscription_expiration_date).
 */
export async function creditPayment(
  accounts: Accounts,
  userId: number,
  p: { invoice_payload: string; currency: string; total_amount: number; telegram_payment_charge_id: string },
  renewsUntil?: Date,
) {
  const pack = packOf(p.invoice_payload);
  if (!pack || p.currency !== STARS || p.total_amount !== pack.stars) return { kind: "unknown" as const };
  const result = await accounts.apply(userId, paymentKey(p.telegram_payment_charge_id), () => ({
    kind: "purchase",
    credits: pack.credits,
    stars: p.total_amount,
    charge_id: p.telegram_payment_charge_id,
    // A plan's payment always says until when: the renewal date /balance shows.
    ...(pack.plan ? { renews_until: renewsUntil ?? new Date(Date.now() + SUBSCRIPTION_PERIOD_S * 1000) } : {}),
  }));
  if (result.kind === "applied") return { kind: "credited" as const, pack, credits: pack.credits, balance: result.state.balance };
  return { kind: "already" as const, pack };
}

/**
 * Takes a refunded payment's credits back, once per charge (the refund message and /refund share
 * the key). Credits the user already spent cannot be taken; credits held by jobs still running can:
 * they come back to the balance if those jobs fail, so the refund counts them, and the balance may
 * stand below zero until they are settled (a job that still succeeds was paid for with refunded
 * credits, and the user owes them).
 */
export async function takeBack(accounts: Accounts, chargeId: string, by?: number) {
  const payment = await accounts.byKey(paymentKey(chargeId));
  if (payment?.kind !== "purchase") return { kind: "unknown" as const };
  const result = await accounts.apply(payment.user_id, refundKey(chargeId), async (state) => ({
    kind: "refund",
    credits: -(await accounts.takeable(payment.user_id, state, payment.credits)),
    stars: payment.stars ?? undefined,
    charge_id: chargeId,
    ...(by !== undefined ? { by } : {}),
  }));
  const entry = result.kind === "applied" || result.kind === "already" ? result.entry : null;
  return {
    kind: result.kind === "applied" ? ("taken" as const) : ("already" as const),
    userId: payment.user_id,
    stars: payment.stars ?? 0,
    credits: entry ? -entry.credits : 0,
    balance: entry?.balance ?? 0,
  };
}
