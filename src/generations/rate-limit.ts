import type { Models } from "../db/models.js";
import { claimInOrder, claimOnce, type ClaimKey } from "./claims.js";

const HELD_FOR_GOOD = new Date(8.64e15);

export interface SlotUse {
  slotId: string;
  seq: number;
  /** The claim asked to ride on the slot's was taken too (see tryAcquire). */
  alongside?: boolean;
}

/** `count` slot documents named `<name>:<i>`, created once for all instances (concurrent callers share it). */
function slotDocuments(models: Models, name: string, count: number) {
  const ids = Array.from({ length: count }, (_, i) => `${name}:${i}`);
  let ensured: Promise<void> | undefined;
  function ensure() {
    ensured ??= (async () => {
      const existing = new Set((await models.RateSlot.find({ _id: { $in: ids } }).select("_id")).map((s) => s._id));
      const missing = ids.filter((id) => !existing.has(id));
      if (missing.length === 0) return;
      await models.RateSlot.insertMany(
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
  return { ids, ensure };
}

/**
 * The use we tried to claim exists, yet the slot still shows the one before: its winner wrote the
 * slot back late or died in between. Once that use is `staleMs` old, move the slot past it.
 */
async function healStaleHead(models: Models, claimKey: string, slotId: string, seq: number, now: Date, staleMs: number) {
  const taken = await models.Claim.findById(claimKey);
  if (taken && taken.at.getTime() + staleMs <= now.getTime()) {
    await models.RateSlot.updateOne({ _id: slotId, seq: seq - 1 }, { $set: { seq } });
  }
}

/**
 * MiniMax allows MINIMAX_RPM creates a minute per account (MINIMAX_V2_RPM on the v2 API), shared by
 * every instance. There are RPM slots named `<name>:<i>`; each use of a slot is won by inserting its
 * next sequence key, and a slot is free again a window after its last use. Each slot serves at most
 * one request per window, so no window ever holds more than RPM submissions, whichever instances
 * made them.
 */
export function createSubmitRateLimit(models: Models, rpm: number, windowMs = 60_000, name = "minimax-submit") {
  const { RateSlot } = models;
  const { ids, ensure: ensureSlots } = slotDocuments(models, name, rpm);
  // A little slack: MiniMax counts a request when it arrives, a moment after we take the slot.
  const holdMs = windowMs + Math.min(2_000, Math.ceil(windowMs / 20));
  // While the request is out, the slot stays taken however long it takes; should the process die
  // meanwhile, the slot comes back after this long.
  const inFlightMs = holdMs + 180_000;
  return {
    /**
     * Takes a slot if one is free now; null when the window's budget is spent. `alongside`, a claim
     * the caller takes the moment it has a slot, goes in the same message as the slot's claim, and
     * only once that one is won: `alongside` on the use says whether it was taken.
     */
    async tryAcquire(owner: string, alongside?: ClaimKey): Promise<SlotUse | null> {
      await ensureSlots();
      const now = new Date();
      const free = await RateSlot.find({ _id: { $in: ids }, free_at: { $lte: now } });
      // Instances and submitters racing for slots start at different ones, so fewer claims are lost.
      const start = Math.floor(Math.random() * free.length);
      const lost: { slotId: string; seq: number }[] = [];
      for (let i = 0; i < free.length; i++) {
        const slot = free[(start + i) % free.length]!;
        const use = { slotId: slot._id, seq: slot.seq + 1 };
        const taken = await claimInOrder(models, [{ key: `rate:${use.slotId}:${use.seq}`, owner }, ...(alongside ? [alongside] : [])]);
        if (taken > 0) {
          await RateSlot.updateOne({ _id: slot._id }, { $set: { seq: use.seq, free_at: new Date(Date.now() + inFlightMs) } });
          return alongside ? { ...use, alongside: taken === 2 } : use;
        }
        lost.push(use);
      }
      // A slot whose winner died before writing it back looks free for ever: worth a look only
      // when no slot could be had at all.
      for (const use of lost) await healStaleHead(models, `rate:${use.slotId}:${use.seq}`, use.slotId, use.seq, now, inFlightMs);
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

/** Phases in which MiniMax has, or may have, a generation's task. */
const AT_MINIMAX = new Set(["submitting", "submitted"]);
/** A slot whose generation left MiniMax this long ago is freed by whoever finds it so: its own release did not land. */
const LEFT_BEHIND_MS = 30_000;

/**
 * MiniMax's v2 API allows MINIMAX_V2_MAX_IN_FLIGHT tasks queued or running at once per account,
 * shared by every instance. There are that many slot documents named `<name>:<i>`; a generation
 * takes one before its create leaves (won by inserting the slot's next sequence key, like a rate
 * slot) and holds it until MiniMax's task is over, whichever instance sees that: the slot names its
 * holder, so any instance gives it back with `release(holder)`. A slot whose holder left MiniMax
 * without giving it back (its instance died in between) is freed by the next one that finds every
 * slot taken.
 */
export function createTaskSlots(models: Models, max: number, name = "minimax-v2-task") {
  const { RateSlot } = models;
  const { ids, ensure } = slotDocuments(models, name, max);

  /** Frees the slots whose holders are no longer at MiniMax (or gone), once their own release had time to land. */
  async function freeLeftBehind(taken: Array<{ _id: string; seq: number; holder?: string | null }>, now: Date) {
    const holders = taken.map((s) => s.holder).filter((h): h is string => !!h);
    const gens = await models.Generation.find({ _id: { $in: holders } }).select("_id phase updated_at").lean();
    const byId = new Map(gens.map((g) => [String(g._id), g]));
    for (const slot of taken) {
      const gen = slot.holder ? byId.get(slot.holder) : undefined;
      const left = !gen || (!AT_MINIMAX.has(gen.phase) && (gen.updated_at?.getTime() ?? 0) + LEFT_BEHIND_MS <= now.getTime());
      if (left) await RateSlot.updateOne({ _id: slot._id, seq: slot.seq, holder: slot.holder }, { $set: { free_at: now }, $unset: { holder: 1 } });
    }
  }

  return {
    max,
    /** A slot for `holder` (a generation id): the one it holds already, a free one, or null when all are taken. */
    async tryAcquire(holder: string): Promise<SlotUse | null> {
      await ensure();
      const now = new Date();
      const slots = await RateSlot.find({ _id: { $in: ids } }).lean();
      // Taken before and not given back (a step that lost its lease, a retry): still this generation's.
      const own = slots.find((s) => s.holder === holder && s.free_at > now);
      if (own) return { slotId: own._id, seq: own.seq };
      const free = slots.filter((s) => s.free_at <= now);
      const start = Math.floor(Math.random() * free.length);
      const lost: SlotUse[] = [];
      for (let i = 0; i < free.length; i++) {
        const slot = free[(start + i) % free.length]!;
        const use = { slotId: slot._id, seq: slot.seq + 1 };
        if (await claimOnce(models, `task:${use.slotId}:${use.seq}`, holder)) {
          await RateSlot.updateOne({ _id: slot._id }, { $set: { seq: use.seq, holder, free_at: HELD_FOR_GOOD } });
          return use;
        }
        lost.push(use);
      }
      for (const use of lost) await healStaleHead(models, `task:${use.slotId}:${use.seq}`, use.slotId, use.seq, now, LEFT_BEHIND_MS);
      await freeLeftBehind(slots.filter((s) => s.free_at > now), now);
      return null;
    },

    /** Gives back whatever slot `holder` holds: its task is over at MiniMax, or was never created. */
    async release(holder: string) {
      await RateSlot.updateMany({ _id: { $in: ids }, holder }, { $set: { free_at: new Date() }, $unset: { holder: 1 } });
    },
  };
}
export type TaskSlots = ReturnType<typeof createTaskSlots>;
