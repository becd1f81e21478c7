import type { Models } from "../db/models.js";
import { claimOnce } from "./claims.js";
import type { GenerationDoc } from "./leases.js";

/**
 * Telegram has no idempotency key, and a message it took cannot be asked about afterwards. A lease
 * alone cannot make a delivery happen once: its holder may be slow to record what Telegram took
 * (a loaded database, a stalled process) until its lease runs out and another instance delivers
 * again. So each delivery attempt is taken by a unique insert before anything is sent, and what
 * Telegram took is recorded as a fact of its own, an insert that needs no lease. An instance that
 * finds an attempt taken and no fact waits for the fact before it may try the next attempt.
 */
const attemptKey = (gen: Pick<GenerationDoc, "_id">, attempt: number) => `deliver:${String(gen._id)}:${attempt}`;
const factKey = (gen: Pick<GenerationDoc, "_id">) => `delivered:${String(gen._id)}`;

/** What Telegram took: enough for the generation's record (the studio's buttons key by the message). */
export interface DeliveredFact {
  message_id: number;
  file_id?: string;
  url: string;
  bytes?: number;
  at: Date;
}

/** The generation's fields for a delivery Telegram took. */
export const deliveredFields = (fact: DeliveredFact) => ({
  phase: "delivered",
  video_message_id: fact.message_id,
  ...(fact.file_id ? { telegram_video_file_id: fact.file_id } : {}),
  video_url: fact.url,
  ...(fact.bytes !== undefined ? { video_bytes: fact.bytes } : {}),
  completed_at: fact.at,
});

export function deliveryAttempts(models: Models, owner: string) {
  return {
    /** True for exactly one taker of this attempt number, across all instances. */
    take: (gen: GenerationDoc, attempt: number) => claimOnce(models, attemptKey(gen, attempt), owner),
    /** This attempt certainly sent nothing (Telegram refused it, or its body never completed): it may be taken again. */
    async giveBack(gen: GenerationDoc, attempt: number) {
      await models.Claim.deleteOne({ _id: attemptKey(gen, attempt), owner });
    },
    /** Records what Telegram took; the first record stands. */
    async record(gen: GenerationDoc, fact: DeliveredFact) {
      try {
        await models.Claim.create({ _id: factKey(gen), owner, record: fact });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    },
    async recorded(gen: GenerationDoc): Promise<DeliveredFact | undefined> {
      const doc = await models.Claim.findById(factKey(gen)).select("record").lean();
      return (doc?.record as DeliveredFact | undefined) ?? undefined;
    },
  };
}
export type DeliveryAttempts = ReturnType<typeof deliveryAttempts>;
