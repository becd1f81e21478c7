import type { QueryFilter, Types } from "mongoose";
import type { GenerationFields, Models } from "../db/models.js";
import { claimOnce } from "./claims.js";

/** A lease that has never been taken or was handed back. */
export const FREE = new Date(0);

export type GenerationDoc = NonNullable<Awaited<ReturnType<Models["Generation"]["findOne"]>>>;
type Filter = QueryFilter<GenerationFields>;

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

  /** Applies `set` and hands the lease back, only if we still hold it. */
  function finish(id: Types.ObjectId, set: Record<string, unknown>, unset: Record<string, 1> = {}) {
    return serial(id, async () => {
      const res = await Generation.updateOne(
        { _id: id, lease_owner: owner },
        { $set: { ...set, lease_until: FREE }, $unset: { lease_owner: 1, ...unset } },
      );
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

  return {
    owner,
    finish,
    busy,

    /**
     * Takes one generation matching `filter` that is unleased (and due, unless `ignoreSchedule`);
     * null when there is none to take. `set`/`inc` are applied with the claim.
     */
    async claim(
      filter: Filter,
      update: { set?: Record<string, unknown>; inc?: Record<string, number>; ignoreSchedule?: boolean } = {},
    ): Promise<GenerationDoc | null> {
      const now = new Date();
      const candidates = await Generation.find({
        ...filter,
        ...(update.ignoreSchedule ? {} : { next_run_at: { $lte: now } }),
        lease_until: { $lt: now },
      })
        .sort({ next_run_at: 1 })
        .limit(5)
        .select("_id lease_epoch");
      for (const candidate of candidates) {
        if (busy.has(String(candidate._id))) continue;
        const epoch = await takeEpoch(candidate._id, candidate.lease_epoch);
        if (epoch === null) continue;
        const claimed = await Generation.findOneAndUpdate(
          { _id: candidate._id, lease_epoch: candidate.lease_epoch },
          {
            $set: { lease_owner: owner, lease_until: new Date(Date.now() + leaseMs), lease_epoch: epoch, ...update.set },
            ...(update.inc ? { $inc: update.inc } : {}),
          },
          { returnDocument: "after" },
        ).select("+callback_token");
        if (claimed) return claimed;
      }
      return null;
    },

    /** Extends our lease; false when it is no longer ours (another instance took over). */
    renew(id: Types.ObjectId) {
      return serial(id, async () => {
        const res = await Generation.updateOne({ _id: id, lease_owner: owner }, { $set: { lease_until: new Date(Date.now() + leaseMs) } });
        return res.matchedCount === 1;
      });
    },

    /** A write by the lease holder that keeps the lease. */
    update(id: Types.ObjectId, set: Record<string, unknown>) {
      return serial(id, async () => {
        const res = await Generation.updateOne({ _id: id, lease_owner: owner }, { $set: set });
        return res.matchedCount === 1;
      });
    },

    /** On shutdown: everything we hold becomes claimable at once by another instance. */
    async releaseAll() {
      const held = await Generation.find({ lease_owner: owner, lease_until: { $gt: FREE } }).select("_id");
      let released = 0;
      for (const { _id } of held) if (await finish(_id, {})) released++;
      return released;
    },
  };
}
export type Leases = ReturnType<typeof createLeases>;
