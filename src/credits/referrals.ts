import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import { welcomeKey, type Accounts } from "./accounts.js";
import { refundKey } from "./payments.js";

export const REFERRAL_START = "ref_";
const TAG_LENGTH = 6;

const tagOf = (secret: string, id: string) => createHmac("sha256", secret).update(`referral:${id}`).digest("hex").slice(0, TAG_LENGTH);

/** A user's referral code: their id in base 36 and a tag, so a code cannot be made up for someone else. */
export function referralCode(secret: string, userId: number) {
  const id = userId.toString(36);
  return `${id}${tagOf(secret, id)}`;
}

/** The inviter a code names, or null for a code this bot never gave out. */
export function inviterOf(secret: string, code: string): number | null {
  const match = /^([0-9a-z]{1,13})([0-9a-f]{6})$/.exec(code);
  if (!match) return null;
  const [, id, tag] = match as unknown as [string, string, string];
  const expected = Buffer.from(tagOf(secret, id));
  if (!timingSafeEqual(expected, Buffer.from(tag))) return null;
  const userId = parseInt(id, 36);
  return Number.isSafeInteger(userId) && userId > 0 ? userId : null;
}

/** The link that starts the bot with a user's code: t.me/<bot>?start=ref_<code>. */
export const referralLink = (botUsername: string, secret: string, userId: number) => `https://t.me/${botUsername}?start=${REFERRAL_START}${referralCode(secret, userId)}`;

export type LinkOutcome = "linked" | "self" | "existing" | "invalid";

/**
 * Links a user who starts the bot through `code` to its inviter. The link is written into the
 * welcome entry that opens the new user's account (one insert), so it happens once, and never for
 * a user who was here before, nor for the inviter themselves.
 */
export async function linkInvitee(accounts: Accounts, models: Models, secret: string, userId: number, code: string): Promise<LinkOutcome> {
  const inviter = inviterOf(secret, code);
  if (inviter === null) return "invalid";
  if (inviter === userId) return "self";
  // A code of a user who never opened an account was not given out by this bot's /invite.
  if (!(await models.Ledger.exists({ key: welcomeKey(inviter) }))) return "invalid";
  // Someone who already changed settings or a language was here before, even without an account.
  if (await models.User.exists({ _id: userId })) return "existing";
  const { opened } = await accounts.openAccount(userId, inviter);
  return opened ? "linked" : "existing";
}

/** A referral movement someone must be told about, in their language. */
export interface Told {
  userId: number;
  key: string;
  variables: Record<string, number>;
}

const bonusKey = (invitee: number, role: "inviter" | "invitee") => `referral:${invitee}:${role}`;
const bonusBackKey = (invitee: number, role: "inviter" | "invitee") => `referral-back:${invitee}:${role}`;
const ROLES = ["invitee", "inviter"] as const;

/**
 * The bonuses of a referral, when the invited user's payment `chargeId` is credited: each side gets
 * theirs once (keyed by the invitee, so whichever payment comes first is the one, and a redelivered
 * update or a reconciliation finds it made). Run on every credited payment, and on every repeat of
 * one, so a bonus interrupted half-way is completed by the next try.
 */
export async function grantReferralBonuses(accounts: Accounts, models: Models, config: Pick<Config, "referralBonusInviter" | "referralBonusInvitee">, invitee: number, chargeId: string): Promise<Told[]> {
  const welcome = await models.Ledger.findOne({ key: welcomeKey(invitee) }).select("invited_by").lean();
  const inviter = welcome?.invited_by;
  if (typeof inviter !== "number") return [];
  // A payment refunded already earns nothing.
  if (await accounts.byKey(refundKey(chargeId))) return [];
  const told: Told[] = [];
  for (const role of ROLES) {
    const [userId, partner, credits] = role === "invitee" ? [invitee, inviter, config.referralBonusInvitee] : [inviter, invitee, config.referralBonusInviter];
    if (credits <= 0) continue;
    const result = await accounts.apply(userId, bonusKey(invitee, role), () => ({ kind: "referral", credits, charge_id: chargeId, partner }));
    if (result.kind === "applied") told.push({ userId, key: `referral-bonus-${role}`, variables: { credits, balance: result.state.balance } });
  }
  // A refund that landed while the bonuses were being made found none to take: take them now.
  if (told.length && (await accounts.byKey(refundKey(chargeId)))) told.push(...(await takeBackReferralBonuses(accounts, invitee, chargeId)));
  return told;
}

/**
 * A refund of the payment that earned a referral's bonuses takes both back, by the rule of any
 * refund (what is on the balance and what running jobs hold, never more than the bonus). Once each.
 */
export async function takeBackReferralBonuses(accounts: Accounts, invitee: number, chargeId: string): Promise<Told[]> {
  const told: Told[] = [];
  for (const role of ROLES) {
    const bonus = await accounts.byKey(bonusKey(invitee, role));
    if (bonus?.kind !== "referral" || bonus.charge_id !== chargeId) continue;
    const result = await accounts.apply(bonus.user_id, bonusBackKey(invitee, role), async (state) => ({
      kind: "referral_back",
      credits: -(await accounts.takeable(bonus.user_id, state, bonus.credits)),
      charge_id: chargeId,
      partner: bonus.partner ?? undefined,
    }));
    if (result.kind === "applied") told.push({ userId: bonus.user_id, key: "referral-bonus-taken", variables: { credits: -result.entry.credits, balance: result.state.balance } });
  }
  return told;
}

/** How many users a user invited, and how many of them have paid (their bonus is made). */
export async function referralCounts(models: Models, inviter?: number) {
  const invited = inviter === undefined ? { invited_by: { $exists: true } } : { invited_by: inviter };
  const [invites, payers] = await Promise.all([
    models.Ledger.countDocuments({ kind: "welcome", ...invited }),
    models.Ledger.countDocuments({ kind: "referral", key: /:invitee$/, ...(inviter === undefined ? {} : { partner: inviter }) }),
  ]);
  return { invites, payers };
}
