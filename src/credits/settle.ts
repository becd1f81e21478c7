import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import type { Accounts } from "./accounts.js";
import { creditPayment, takeBack } from "./payments.js";
import { grantReferralBonuses, takeBackReferralBonuses, type Told } from "./referrals.js";

type PaymentFields = Parameters<typeof creditPayment>[2];

/**
 * Everything a Stars payment moves, whichever path found it (the update, a redelivery, the
 * reconciliation): the pack's or plan's credits once per charge id, then the referral bonuses if
 * this is the invited user's first payment. Each step is keyed, so running it again completes
 * what an interrupted run left and repeats nothing. `told`: the bonuses to tell each side about.
 */
export async function settlePayment(accounts: Accounts, models: Models, config: Pick<Config, "referralBonusInviter" | "referralBonusInvitee">, userId: number, payment: PaymentFields, renewsUntil?: Date) {
  const credited = await creditPayment(accounts, userId, payment, renewsUntil);
  const told: Told[] = credited.kind === "unknown" ? [] : await grantReferralBonuses(accounts, models, config, userId, payment.telegram_payment_charge_id);
  return { ...credited, told };
}

/** Everything a refund takes back: the payment's credits, and the referral bonuses it earned (once each). */
export async function settleRefund(accounts: Accounts, chargeId: string, by?: number) {
  const taken = await takeBack(accounts, chargeId, by);
  const told: Told[] = taken.kind === "unknown" ? [] : await takeBackReferralBonuses(accounts, taken.userId, chargeId);
  return { ...taken, told };
}
