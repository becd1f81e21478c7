import type { QueryFilter, Types } from "mongoose";
import type { GenerationFields, Models } from "../db/models.js";
import { claimOnce } from "./claims.js";
import { isWriteLockBusy } from "../db/errors.js";

/** A lease that has never been taken or was handed back. */
export const FREE = new Date(0);

export type GenerationDoc = NonNullable<Awaited<ReturnType<Models["Generation"]["findOne"]>>>;
type Filter = QueryFilter<GenerationFields>;
type ClaimUpdate = { set?: Record<string, unknown>; inc?: Record<string, number>; ignoreSchedule?: boolean };
/** Generations one claim query looks at; the first it can take is taken. */
const CANDIDATES = 5;

/**
 * Leases give one instance the right to work on one generation; every write to a generation in
 * flight is made by its lease holder. A lease is won by inserting the unique key of the next
 * epoch, which has one winner across all instances on any MongoDB-compatible server; an instance
 * that dies lets its lease expire and the next epoch goes to whoever claims it then.
 */
export function createLeases(models: Models, owner: string, leaseMs: number) {
  const { Generation } = models;
  // Our own writes to one generation go one at a time: a lease renewal must not overwrite a
  // phase change made a moment earlier (FerretDB writes whole documents).
  const chains = new Map<string, Promise<unknown>>();
  /**
   * Generations a step of this process works on (the worker keeps it). Never claimed from under
   * that step, even once the lease has expired: a step still writing MiniMax's answer through an
   * outage could not renew it.
   */
  const busy = new Set<string>();
  function serial<T>(id: Types.ObjectId, write: () => Promise<T>): Promise<T> {
    const key = String(id);
    const next = (chains.get(key) ?? Promise.resolve()).then(write, write);
    const tail = next.catch(() => undefined);
    chains.set(key, tail);
    void tail.then(() => chains.get(key) === tail && chains.delete(key));
    return next;
  }

  /**
   * The filter of every write by the holder of one claim. The epoch is in it, not just the owner: a
   * step that lost its lease must not write, even if this instance has claimed the generation again.
   */
  const ours = (held: Held) => ({ _id: held._id, lease_owner: owner, lease_epoch: held.lease_epoch });

  /** Applies `set` and hands the lease back, only if we still hold it. */
  function finish(held: Held, set: Record<string, unknown>, unset: Record<string, 1> = {}) {
    return serial(held._id, async () => {
      const res = await Generation.updateOne(ours(held), { $set: { ...set, lease_until: FREE }, $unset: { lease_owner: 1, ...unset } });
      return res.matchedCount === 1;
    });
  }

  /**
   * Takes the claim key of the generation's next epoch. A key whose epoch never reached the
   * document (its winner died or failed between the insert and the update) is passed over once it
   * is older than a lease; otherwise it would lock the generation until the claims are pruned.
   */
  async function takeEpoch(id: Types.ObjectId, current: number): Promise<number | null> {
    for (let epoch = current + 1; epoch <= current + 3; epoch++) {
      const key = `lease:${id}:${epoch}`;
      if (await claimOnce(models, key, owner)) return epoch;
      const taken = await models.Claim.findById(key).select("at");
      if (taken && taken.at.getTime() + leaseMs > Date.now()) return null; // a live claim: its winner is on its way
    }
    return null;
  }

  /**
   * Takes the generation `known` names at the epoch it names, if it still matches `filter` and is
   * unleased: for a caller that knows both already (a candidate, a generation just admitted).
   */
  async function claimKnown(known: Held, filter: Filter, update: ClaimUpdate): Promise<GenerationDoc | null> {
    if (busy.has(String(known._id))) return null;
    const epoch = await takeEpoch(known._id, known.lease_epoch);
    if (epoch === null) return null;
    // The epoch's key is ours now: a write lock busy for a moment must not leave it burned for a lease.
    for (let attempt = 1; ; attempt++) {
      try {
        return await Generation.findOneAndUpdate(
          { ...filter, _id: known._id, lease_epoch: known.lease_epoch, lease_until: { $lt: new Date() } },
          {
            $set: { lease_owner: owner, lease_until: new Date(Date.now() + leaseMs), lease_epoch: epoch, ...update.set },
            ...(update.inc ? { $inc: update.inc } : {}),
          },
          { returnDocument: "after" },
        ).select("+callback_token");
      } catch (err) {
        if (!isWriteLockBusy(err) || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  return {
    owner,
    finish,
    busy,

    /** `claimNext` without the hint. */
    async claim(filter: Filter, update: ClaimUpdate = {}): Promise<GenerationDoc | null> {
      return (await this.claimNext(filter, update)).gen;
    },

    /**
     * Takes one generation matching `filter` that is unleased (and due, unless `ignoreSchedule`);
     * null when there is none to take. `set`/`inc` are applied with the claim. `more` is false when
     * the query found nothing beyond what it took, so a caller need not ask again at once.
     */
    async claimNext(filter: Filter, update: ClaimUpdate = {}): Promise<{ gen: GenerationDoc | null; more: boolean }> {
      const now = new Date();
      const candidates = await Generation.find({
        ...filter,
        ...(update.ignoreSchedule ? {} : { next_run_at: { $lte: now } }),
        lease_until: { $lt: now },
      })
        .sort({ next_run_at: 1 })
        .limit(CANDIDATES)
        .select("_id lease_epoch");
      for (const [i, candidate] of candidates.entries()) {
        const claimed = await claimKnown(candidate, {}, update);
        if (claimed) return { gen: claimed, more: i + 1 < candidates.length || candidates.length === CANDIDATES };
      }
      return { gen: null, more: false };
    },

    claimKnown,

    /** Extends our lease; false when it is no longer ours (another claim took over). */
    renew(held: Held) {
      return serial(held._id, async () => {
        const res = await Generation.updateOne(ours(held), { $set: { lease_until: new Date(Date.now() + leaseMs) } });
        return res.matchedCount === 1;
      });
    },

    /**
     * A write by the lease holder that keeps the lease and returns the generation as written (null
     * when the lease is no longer ours): for a step that goes straight on to the next phase.
     */
    updateAndGet(held: Held, set: Record<string, unknown>): Promise<GenerationDoc | null> {
      return serial(held._id, async () =>
        Generation.findOneAndUpdate(ours(held), { $set: set }, { returnDocument: "after" }).select("+callback_token"),
      );
    },

    /**
     * A write by the lease holder that keeps the lease. With `leaseLeftMs`, only while the lease has
     * that long left: a write that must not race a claim by another instance (FerretDB writes whole
     * documents, so a write landing as the lease runs out could undo the next holder's claim).
     */
    update(held: Held, set: Record<string, unknown>, opts: { leaseLeftMs?: number } = {}) {
      return serial(held._id, async () => {
        const filter = opts.leaseLeftMs === undefined ? ours(held) : { ...ours(held), lease_until: { $gt: new Date(Date.now() + opts.leaseLeftMs) } };
        const res = await Generation.updateOne(filter, { $set: set });
        return res.matchedCount === 1;
      });
    },

    /** On shutdown: everything we hold becomes claimable at once by another instance. */
    async releaseAll() {
      const held = await Generation.find({ lease_owner: owner, lease_until: { $gt: FREE } }).select("_id lease_epoch");
      let released = 0;
      for (const gen of held) if (await finish(gen, {})) released++;
      return released;
    },
  };
}
export type Leases = ReturnType<typeof createLeases>;

/** What a write must show to come from the current claim: the generation and the claim's epoch. */
export interface Held {
  _id: Types.ObjectId;
  lease_epoch: number;
}

/** Why a step can no longer count on its lease. */
export type LeaseLoss = "taken over" | "renewal overdue";

/**
 * Renews a claim while a step runs, and calls `lost` once the step can no longer count on it:
 * when a renewal finds another claim in its place, or when no renewal has landed for so long
 * (MongoDB out of reach) that the lease may run out before the next one does. Side effects stop
 * then, before another instance may claim the generation, so two never work on it at once.
 */
export function keepLease(renew: () => Promise<boolean>, leaseMs: number, lost: (why: LeaseLoss) => void) {
  const renewEveryMs = Math.max(100, leaseMs / 3);
  // Short of the whole lease: a claim elsewhere needs the lease expired, and clocks differ a little.
  const overdueAfterMs = leaseMs * 0.8;
  let renewedAt = Date.now();
  let sentAt = renewedAt;
  let inFlight = false;
  let ended = false;
  const end = (why?: LeaseLoss) => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    if (why) lost(why);
  };
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - renewedAt > overdueAfterMs) return end("renewal overdue");
    if (inFlight || now - sentAt < renewEveryMs) return;
    inFlight = true;
    sentAt = now;
    renew()
      .then((stillOurs) => (stillOurs ? (renewedAt = Math.max(renewedAt, now)) : end("taken over")))
      .catch(() => undefined) // a failed renewal shows as renewedAt standing still
      .finally(() => (inFlight = false));
  }, Math.max(20, leaseMs / 10));
  return () => end();
}
