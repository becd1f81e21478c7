import type { Types } from "mongoose";
import type { LedgerKind, Models } from "../db/models.js";
import { isDuplicateKey } from "../db/errors.js";

export type LedgerEntry = NonNullable<Awaited<ReturnType<Models["Ledger"]["findOne"]>>>;

/** Where a user stands: the latest link of their ledger chain. */
export interface AccountState {
  seq: number;
  balance: number;
  inFlight: number;
}

/** A movement a plan asks for; the chain adds it to the state it was computed from. */
export interface Movement {
  kind: LedgerKind;
  credits: number;
  active?: number;
  price?: number;
  generation_id?: Types.ObjectId;
  short_id?: string;
  stars?: number;
  charge_id?: string;
  by?: number;
  partner?: number;
  renews_until?: Date;
  promo_code?: string;
}

/**
 * What a plan answers for a state: a movement, a refusal (nothing written), or nothing to do. A
 * plan may read more of the ledger first; whatever it reads can only have changed if another
 * movement landed meanwhile, and then this one fails to insert and is planned again.
 */
export type Plan<R> = (state: AccountState) => PlanAnswer<R> | Promise<PlanAnswer<R>>;
type PlanAnswer<R> = Movement | { refuse: R } | null;

export type ApplyResult<R> =
  | { kind: "applied"; entry: LedgerEntry; state: AccountState }
  | { kind: "already"; entry: LedgerEntry }
  | { kind: "refused"; reason: R; state: AccountState }
  | { kind: "nothing"; state: AccountState };

export const welcomeKey = (userId: number) => `welcome:${userId}`;
/** Which document of an ordered insert was refused (every one before it went in). */
const refusedAt = (err: unknown) => {
  const refused = (err as { writeErrors?: { index: number } | { index: number }[] }).writeErrors;
  return (Array.isArray(refused) ? refused[0] : refused)?.index;
};
const stateOf = (e: { seq: number; balance: number; in_flight: number }): AccountState => ({ seq: e.seq, balance: e.balance, inFlight: e.in_flight });

/** Each failed insert means another movement landed; this many in a row is not contention but a fault. */
const MAX_ATTEMPTS = 200;

/**
 * Credits and the count of generations in flight, per user, without a read-modify-write anywhere.
 *
 * A user's ledger is a chain: entry N+1 is computed from entry N and inserted with the unique
 * (user_id, seq=N+1). Of any number of movements computed from the same state, on any number of
 * instances, the unique index lets exactly one in; the others read the new head and plan again.
 * Entries are never updated, so reading one is never stale in a way that matters: a movement
 * planned on an old head simply fails to insert. This holds on MongoDB and on FerretDB 1.24
 * alike, because it needs nothing but a unique insert (FerretDB runs a conditional update as a
 * read and a write, so `$inc` with a `$gte` filter could let two reservations both pass there).
 * The unique `key` makes each movement idempotent: a retry, a redelivered update or a restart
 * that repeats one finds it already made.
 */
export function createAccounts(models: Models, opts: { freeCredits: number }) {
  const { Ledger } = models;

  /** The entry that opens an account with the free credits; `invitedBy` links the user to their inviter. */
  const welcome = (userId: number, invitedBy?: number) => ({
    user_id: userId,
    seq: 1,
    key: welcomeKey(userId),
    kind: "welcome" as const,
    credits: opts.freeCredits,
    active: 0,
    balance: opts.freeCredits,
    in_flight: 0,
    ...(invitedBy !== undefined ? { invited_by: invitedBy } : {}),
  });

  /** The latest state; `unopened` when the user has no ledger yet (the state is then the welcome's, not yet written). */
  async function head(userId: number): Promise<AccountState & { unopened?: true }> {
    const latest = await Ledger.findOne({ user_id: userId }).sort({ seq: -1 }).select("seq balance in_flight").lean();
    return latest ? stateOf(latest) : { ...stateOf(welcome(userId)), unopened: true };
  }

  /** Writes the welcome entry of an account `head` found unopened: false when another request opened it a moment ago. */
  async function openNow(userId: number, invitedBy?: number): Promise<boolean> {
    try {
      await Ledger.create(welcome(userId, invitedBy));
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /**
   * The latest state, opening the account with the free credits on first contact; `opened` is true
   * for the one call that opened it. `invitedBy` goes into the welcome entry: the account and its
   * inviter are one insert, so a user is linked once, and only when they are new.
   */
  async function openAccount(userId: number, invitedBy?: number): Promise<{ state: AccountState; opened: boolean }> {
    for (;;) {
      const { unopened, ...state } = await head(userId);
      if (!unopened) return { state, opened: false };
      if (await openNow(userId, invitedBy)) return { state, opened: true };
    }
  }
  const open = async (userId: number) => (await openAccount(userId)).state;

  /** Makes the movement `key` once, planned against the user's current state. */
  async function apply<R = never>(userId: number, key: string, plan: Plan<R>): Promise<ApplyResult<R>> {
    // The key is looked up only when it can matter: when the plan declines (a movement made
    // before may be why, as a reservation counts itself in flight) and when the insert fails (the
    // unique key refuses a repeat). A first-time movement costs one read and one insert.
    // A first movement on a new account is planned against the welcome entry and written with it,
    // in one ordered insert: the welcome first, and the movement only if the welcome went in.
    const made = () => Ledger.findOne({ key });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { unopened, ...state } = await head(userId);
      const planned = await plan(state);
      if (planned === null || "refuse" in planned) {
        if (unopened && !(await openNow(userId))) continue;
        const done = unopened ? null : await made(); // nothing can be made on an account opened just now
        if (done) return { kind: "already", entry: done };
        return planned === null ? { kind: "nothing", state } : { kind: "refused", reason: planned.refuse, state };
      }
      const active = planned.active ?? 0;
      const movement = {
        ...planned,
        user_id: userId,
        seq: state.seq + 1,
        key,
        active,
        balance: state.balance + planned.credits,
        in_flight: state.inFlight + active,
      };
      try {
        const written = unopened ? await Ledger.insertMany([welcome(userId), movement], { ordered: true }) : [await Ledger.create(movement)];
        const entry = written[written.length - 1] as LedgerEntry;
        return { kind: "applied", entry, state: stateOf(entry) };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // The account was opened meanwhile (its welcome refused): plan against what it holds now.
        if (unopened && refusedAt(err) === 0) continue;
        // Either this movement was made already, or another one took seq N+1: plan again.
        const done = await made();
        if (done) return { kind: "already", entry: done };
      }
    }
    throw new Error(`ledger of user ${userId}: no turn after ${MAX_ATTEMPTS} attempts`);
  }

  /** Credits held by the user's reservations not yet captured or released. */
  async function reserved(userId: number): Promise<number> {
    // One accumulator per $group: FerretDB 1.24 fills in only the first of several.
    const sums = await Ledger.aggregate<{ _id: LedgerKind; n: number }>([
      { $match: { user_id: userId, kind: { $in: ["reserve", "capture", "release"] } } },
      { $group: { _id: "$kind", n: { $sum: "$price" } } },
    ]);
    const of = (kind: LedgerKind) => sums.find((row) => row._id === kind)?.n ?? 0;
    return Math.max(0, of("reserve") - of("capture") - of("release"));
  }

  /**
   * How much of `amount` a take-back may take from a user: what is on the balance, and what jobs
   * still running hold (it comes back to the balance if they fail, so a take-back counts it).
   */
  async function takeable(userId: number, state: AccountState, amount: number) {
    return Math.min(amount, Math.max(0, state.balance + (state.inFlight > 0 ? await reserved(userId) : 0)));
  }

  return {
    open,
    openAccount,
    apply,
    takeable,
    reserved,
    byKey: (key: string) => Ledger.findOne({ key }),
    /** The latest movements, newest first; a `void` (a request refused or never admitted) moved nothing and is not shown. */
    recent: (userId: number, limit: number) => Ledger.find({ user_id: userId, kind: { $ne: "void" } }).sort({ seq: -1 }).limit(limit),
  };
}
export type Accounts = ReturnType<typeof createAccounts>;
