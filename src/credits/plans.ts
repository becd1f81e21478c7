import type { Api } from "grammy";
import type { Models } from "../db/models.js";
import { refundKey } from "./payments.js";

export interface PlanState {
  credits: number;
  stars: number;
  /** When the period paid for ends: the next renewal, or the end of the plan once its renewal is cancelled. */
  renewsUntil: Date;
  /** The latest payment's charge id: the one editUserStarSubscription names. */
  chargeId: string;
  canceled: boolean;
}

/**
 * A user's monthly plan as the ledger tells it: the latest plan payment (first or renewal) whose
 * period has not run out and that was not refunded, with the user's latest choice about its renewal.
 */
export async function planOf(models: Models, userId: number): Promise<PlanState | null> {
  const latest = await models.Ledger.findOne({ user_id: userId, renews_until: { $exists: true } }).sort({ renews_until: -1 }).lean();
  if (!latest?.renews_until || !latest.charge_id || latest.renews_until.getTime() <= Date.now()) return null;
  if (await models.Ledger.exists({ key: refundKey(latest.charge_id) })) return null;
  const renewal = await models.PlanRenewal.findById(userId).lean();
  return {
    credits: latest.credits,
    stars: latest.stars ?? 0,
    renewsUntil: latest.renews_until,
    chargeId: latest.charge_id,
    // A choice made about an earlier payment does not carry over to a later one (a resumed plan renewed since).
    canceled: renewal?.charge_id === latest.charge_id && renewal.canceled,
  };
}

/**
 * Cancels or resumes the renewal of the user's plan: Telegram first (editUserStarSubscription), then
 * the choice is stored, so what /balance and the studio show is what Telegram does. Null: no plan.
 */
export async function setRenewal(models: Models, api: Pick<Api, "editUserStarSubscription">, userId: number, canceled: boolean): Promise<PlanState | null> {
  const plan = await planOf(models, userId);
  if (!plan) return null;
  if (plan.canceled !== canceled) await api.editUserStarSubscription(userId, plan.chargeId, canceled);
  const write = () => models.PlanRenewal.updateOne({ _id: userId }, { $set: { charge_id: plan.chargeId, canceled, at: new Date() } }, { upsert: true });
  // Two first choices at once both insert; the loser finds the document there and updates it.
  await write().catch((err: { code?: number }) => (err.code === 11000 ? write() : Promise.reject(err)));
  return { ...plan, canceled };
}

/** "2026-12-24": a renewal date, the same for every user whatever their clock. */
export const renewalDate = (at: Date) => at.toISOString().slice(0, 10);
