import { randomBytes } from "node:crypto";
import type { Models } from "../db/models.js";
import type { Accounts } from "./accounts.js";
import { isDuplicateKey } from "../db/errors.js";

/** Codes as an admin types them and a user may: letters, digits, _ and -, compared in capitals. */
const CODE = /^[A-Za-z0-9_-]{3,32}$/;
export const normalizeCode = (raw: string) => (CODE.test(raw) ? raw.toUpperCase() : null);
export const PROMO_START = "promo_";

/** A burst of wrong guesses: this many unknown codes within the window, then no more tries until it ends. */
export const GUESS_LIMIT = 5;
export const GUESS_WINDOW_MS = 10 * 60_000;
/** A user's marker older than this with no credit behind it is an attempt that died half-way: it is finished. */
const STALE_ATTEMPT_MS = 60_000;

export const promoKey = (code: string, userId: number) => `promo:${code}:${userId}`;
const markerId = (code: string, userId: number) => `${code}:user:${userId}`;
const slotId = (code: string, n: number) => `${code}:${n}`;

export type Redemption =
  | { kind: "redeemed"; code: string; credits: number; balance: number }
  | { kind: "invalid" | "unknown" | "expired" | "used-up" | "already"; code: string }
  | { kind: "throttled"; minutes: number };

/**
 * Promo codes: credits for whoever redeems one, once per user, up to its number of uses in all.
 * The cap holds across instances because every use is a unique insert of one of `uses` slots
 * (`CODE:0` … `CODE:<uses-1>`): there are no more slots than uses, whatever races (a counter read and
 * written back would let two redemptions both see "one left" on FerretDB). The credit itself is a
 * ledger movement keyed by code and user.
 */
export function createPromos(models: Models, accounts: Accounts) {
  const { PromoCode, PromoUse, Claim } = models;

  const guessWindow = () => Math.floor(Date.now() / GUESS_WINDOW_MS);
  const guessPrefix = (userId: number) => `promo-miss:${userId}:${guessWindow()}:`;
  const missesNow = (userId: number) => Claim.countDocuments({ _id: { $regex: `^${guessPrefix(userId)}` } });
  /** Each wrong guess is a claim of its own (pruned with the others after a day). */
  const recordMiss = (userId: number) => Claim.create({ _id: `${guessPrefix(userId)}${randomBytes(6).toString("hex")}`, owner: String(userId) });
  const minutesLeft = () => Math.max(1, Math.ceil(((guessWindow() + 1) * GUESS_WINDOW_MS - Date.now()) / 60_000));

  /** The slot this user holds, or a free one taken now; null when every slot is taken. */
  async function takeSlot(code: string, uses: number, userId: number): Promise<number | null> {
    const held = await PromoUse.find({ code, slot: { $exists: true } }).select("user_id slot").lean();
    const mine = held.find((u) => u.user_id === userId);
    if (mine) return mine.slot!;
    const taken = new Set(held.map((u) => u.slot));
    for (let n = 0; n < uses; n++) {
      if (taken.has(n)) continue;
      try {
        await PromoUse.create({ _id: slotId(code, n), code, user_id: userId, slot: n });
        return n;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // taken a moment ago by someone else: the next one
      }
    }
    return null;
  }

  async function redeem(userId: number, raw: string): Promise<Redemption> {
    if ((await missesNow(userId)) >= GUESS_LIMIT) return { kind: "throttled", minutes: minutesLeft() };
    const code = normalizeCode(raw);
    const shown = raw.slice(0, 32);
    if (!code) {
      await recordMiss(userId);
      return { kind: "invalid", code: shown };
    }
    const promo = await PromoCode.findById(code).lean();
    if (!promo) {
      await recordMiss(userId);
      return { kind: "unknown", code };
    }
    if (await accounts.byKey(promoKey(code, userId))) return { kind: "already", code };
    if (promo.off || (promo.expires_at && promo.expires_at.getTime() <= Date.now())) return { kind: "expired", code };
    // Once per user: the marker is taken before a slot, so one user's two taps never take two.
    try {
      await PromoUse.create({ _id: markerId(code, userId), code, user_id: userId });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const marker = await PromoUse.findById(markerId(code, userId)).lean();
      // A twin request is redeeming it right now; an old marker is an attempt that died: finish it.
      if (!marker || Date.now() - marker.at.getTime() < STALE_ATTEMPT_MS) return { kind: "already", code };
    }
    const slot = await takeSlot(code, promo.uses, userId);
    if (slot === null) {
      // Not redeemed: the marker goes, so the next try is told "used up" again, not "already used".
      await PromoUse.deleteOne({ _id: markerId(code, userId) });
      return { kind: "used-up", code };
    }
    const result = await accounts.apply(userId, promoKey(code, userId), () => ({ kind: "promo", credits: promo.credits, promo_code: code }));
    if (result.kind !== "applied") return { kind: "already", code };
    return { kind: "redeemed", code, credits: promo.credits, balance: result.state.balance };
  }

  async function add(code: string, credits: number, uses: number, days: number | undefined, by: number) {
    try {
      await PromoCode.create({ _id: code, credits, uses, created_by: by, ...(days ? { expires_at: new Date(Date.now() + days * 86_400_000) } : {}) });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async function list() {
    const codes = await PromoCode.find().sort({ created_at: -1 }).limit(50).lean();
    return Promise.all(codes.map(async (c) => ({ ...c, used: await PromoUse.countDocuments({ code: c._id, slot: { $exists: true } }) })));
  }

  const turnOff = async (code: string) => (await PromoCode.updateOne({ _id: code }, { $set: { off: true } })).matchedCount > 0;

  return { redeem, add, list, turnOff };
}
export type Promos = ReturnType<typeof createPromos>;
