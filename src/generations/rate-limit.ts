import type { Models } from "../db/models.js";
import { claimOnce } from "./claims.js";

const slotId = (i: number) => `minimax-submit:${i}`;

export interface SlotUse {
  slotId: string;
  seq: number;
}

/**
 * MiniMax allows MINIMAX_RPM creates a minute per account, shared by every instance. There are RPM
 * slots; each use of a slot is won by inserting its next sequence key, and a slot is free again a
 * window after its last use. Each slot serves at most one request per window, so no window ever
 * holds more than RPM submissions, whichever instances made them.
 */
export function createSubmitRateLimit(models: Models, rpm: number, windowMs = 60_000) {
  const { RateSlot } = models;
  const ids = Array.from({ length: rpm }, (_, i) => slotId(i));
  // A little slack: MiniMax counts a request when it arrives, a moment after we take the slot.
  const holdMs = windowMs + Math.min(2_000, Math.ceil(windowMs / 20));
  // While the request is out, the slot stays taken however long it takes; should the process die
  // meanwhile, the slot comes back after this long.
  const inFlightMs = holdMs + 180_000;
  let ensured: Promise<void> | undefined;

  /** Creates the slots missing from the database, once per process (concurrent callers share it). */
  function ensureSlots() {
    ensured ??= (async () => {
      const existing = new Set((await RateSlot.find({ _id: { $in: ids } }).select("_id")).map((s) => s._id));
      const missing = ids.filter((id) => !existing.has(id));
      if (missing.length === 0) return;
      await RateSlot.insertMany(
        missing.map((_id) => ({ _id, seq: 0, free_at: new Date(0) })),
        { ordered: false },
      ).catch((err: { code?: number; writeErrors?: { code?: number }[] }) => {
        // Another instance created some first: those are there, which is all we need.
        const duplicates = err.code === 11000 || (err.writeErrors?.length && err.writeErrors.every((e) => e.code === 11000));
        if (!duplicates) throw err;
      });
    })().catch((err: unknown) => {
      ensured = undefined; // try again next time
      throw err;
    });
    return ensured;
  }

  /**
   * The use we tried to claim exists, yet the slot still shows the one before: its winner wrote
   * the slot back late or died in between. Once that use is a window old, move the slot past it.
   */
  async function healStaleHead(slotId: string, seq: number, now: Date) {
    const taken = await models.Claim.findById(`rate:${slotId}:${seq}`);
    if (taken && taken.at.getTime() + inFlightMs <= now.getTime()) {
      await RateSlot.updateOne({ _id: slotId, seq: seq - 1 }, { $set: { seq } });
    }
  }

  return {
    /** Takes a slot if one is free now; null when the window's budget is spent. */
    async tryAcquire(owner: string): Promise<SlotUse | null> {
      await ensureSlots();
      const now = new Date();
      const free = await RateSlot.find({ _id: { $in: ids }, free_at: { $lte: now } });
      // Instances and submitters racing for slots start at different ones, so fewer claims are lost.
      const start = Math.floor(Math.random() * free.length);
      const lost: { slotId: string; seq: number }[] = [];
      for (let i = 0; i < free.length; i++) {
        const slot = free[(start + i) % free.length]!;
        const use = { slotId: slot._id, seq: slot.seq + 1 };
        if (await claimOnce(models, `rate:${use.slotId}:${use.seq}`, owner)) {
          await RateSlot.updateOne({ _id: slot._id }, { $set: { seq: use.seq, free_at: new Date(Date.now() + inFlightMs) } });
          return use;
        }
        lost.push(use);
      }
      // A slot whose winner died before writing it back looks free for ever: worth a look only
      // when no slot could be had at all.
      for (const use of lost) await healStaleHead(use.slotId, use.seq, now);
      return null;
    },

    /**
     * Starts the slot's window once the request is over: MiniMax counted it somewhere between
     * when we took the slot and now, so a full window from now is always enough.
     */
    async holdFromNow(use: SlotUse) {
      await RateSlot.updateOne({ _id: use.slotId, seq: use.seq }, { $set: { free_at: new Date(Date.now() + holdMs) } });
    },

    /** Gives a slot back unused: no request left with it, so MiniMax counted nothing. */
    async release(use: SlotUse) {
      await RateSlot.updateOne({ _id: use.slotId, seq: use.seq }, { $set: { free_at: new Date() } });
    },

    /** When the next slot frees up. */
    async nextFreeAt(): Promise<Date> {
      await ensureSlots();
      const slot = await RateSlot.findOne({ _id: { $in: ids } }).sort({ free_at: 1 });
      return slot?.free_at ?? new Date();
    },
  };
}
export type SubmitRateLimit = ReturnType<typeof createSubmitRateLimit>;
