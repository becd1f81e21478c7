import type { Types } from "mongoose";
import type { Models, Phase } from "../db/models.js";

/** A lease that has never been taken or was handed back. */
export const FREE = new Date(0);

export type GenerationDoc = NonNullable<Awaited<ReturnType<Models["Generation"]["findOne"]>>>;

/**
 * Leases give one instance the right to work on one generation. They are single-document
 * atomic updates, so they hold across processes and machines; an instance that dies simply
 * lets its lease expire and another one takes over.
 */
export function createLeases(models: Models, owner: string, leaseMs: number) {
  const { Generation } = models;

  return {
    owner,

    /** Takes the next generation in `phase` that is due and unleased; null when there is none. */
    async claim(phase: Phase, update: { set?: Record<string, unknown>; inc?: Record<string, number> } = {}, now = new Date()) {
      return Generation.findOneAndUpdate(
        { phase, next_run_at: { $lte: now }, lease_until: { $lt: now } },
        {
          $set: { lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs), ...update.set },
          ...(update.inc ? { $inc: update.inc } : {}),
        },
        { sort: { next_run_at: 1 }, returnDocument: "after" },
      ).select("+callback_token");
    },

    /** Extends our lease; false when it is no longer ours (another instance took over). */
    async renew(id: Types.ObjectId) {
      const res = await Generation.updateOne(
        { _id: id, lease_owner: owner },
        { $set: { lease_until: new Date(Date.now() + leaseMs) } },
      );
      return res.matchedCount === 1;
    },

    /** Applies `set` and hands the lease back, only if we still hold it. */
    async finish(id: Types.ObjectId, set: Record<string, unknown>, unset: Record<string, 1> = {}) {
      const res = await Generation.updateOne(
        { _id: id, lease_owner: owner },
        { $set: { ...set, lease_until: FREE }, $unset: { lease_owner: 1, ...unset } },
      );
      return res.matchedCount === 1;
    },

    /** On shutdown: everything we hold becomes claimable at once by another instance. */
    async releaseAll() {
      const res = await Generation.updateMany(
        { lease_owner: owner, lease_until: { $gt: FREE } },
        { $set: { lease_until: FREE }, $unset: { lease_owner: 1 } },
      );
      return res.modifiedCount;
    },
  };
}
export type Leases = ReturnType<typeof createLeases>;
