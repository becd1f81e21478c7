import type { Models } from "../db/models.js";

const slotId = (i: number) => `minimax-submit:${i}`;

/**
 * MiniMax allows MINIMAX_RPM creates a minute per account, shared by every instance. Each of the
 * RPM slot documents can be taken once per window with one atomic update, so no window
 * ever holds more than RPM submissions, whichever instances made them.
 */
export function createSubmitRateLimit(models: Models, rpm: number, windowMs = 60_000) {
  const { RateSlot } = models;
  const ids = Array.from({ length: rpm }, (_, i) => slotId(i));
  let ensured = false;

  async function ensureSlots() {
    if (ensured) return;
    await Promise.all(
      ids.map((_id) =>
        RateSlot.updateOne({ _id }, { $setOnInsert: { free_at: new Date(0) } }, { upsert: true }).catch((err: { code?: number }) => {
          if (err.code !== 11000) throw err; // another instance inserted it first
        }),
      ),
    );
    ensured = true;
  }

  return {
    /** Takes a slot if one is free now; false when the minute's budget is spent. */
    async tryAcquire(now = new Date()): Promise<boolean> {
      await ensureSlots();
      const slot = await RateSlot.findOneAndUpdate(
        { _id: { $in: ids }, free_at: { $lte: now } },
        { $set: { free_at: new Date(now.getTime() + windowMs) } },
        { sort: { free_at: 1 } },
      );
      return slot !== null;
    },

    /** When the next slot frees up, for telling a queued user how long to wait. */
    async nextFreeAt(): Promise<Date> {
      await ensureSlots();
      const slot = await RateSlot.findOne({ _id: { $in: ids } }).sort({ free_at: 1 });
      return slot?.free_at ?? new Date();
    },
  };
}
export type SubmitRateLimit = ReturnType<typeof createSubmitRateLimit>;
