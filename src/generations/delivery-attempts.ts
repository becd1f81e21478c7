import type { Readable } from "node:stream";
import { GrammyError } from "grammy";
import type { Models } from "../db/models.js";
import { claimOnce } from "./claims.js";
import type { LifecycleDeps } from "./deps.js";
import type { GenerationDoc, Leases } from "./leases.js";

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

/** What a generation records of its video message: its Telegram file and message (the studio's Again keys by it). */
export const videoOf = (sent: { file_id?: string | null; message_id?: number | null }) => ({
  ...(sent.file_id ? { telegram_video_file_id: sent.file_id } : {}),
  ...(sent.message_id ? { video_message_id: sent.message_id } : {}),
});

/** The generation's fields for a delivery Telegram took. */
export const deliveredFields = (fact: DeliveredFact) => ({
  phase: "delivered",
  ...videoOf(fact),
  video_url: fact.url,
  ...(fact.bytes !== undefined ? { video_bytes: fact.bytes } : {}),
  completed_at: fact.at,
});

export function deliveryAttempts(models: Models, owner: string) {
  return {
    /** True for exactly one taker of this attempt number, across all instances. */
    take: (gen: GenerationDoc, attempt: number) => claimOnce(models, attemptKey(gen, attempt), owner),
    /**
     * After a failed attempt: one Telegram refused, or whose request never reached it whole, sent
     * nothing, and may be taken again (a flood wait retries under the same number). Otherwise it stays taken.
     */
    async failed(gen: GenerationDoc, attempt: number, upload: AttemptUpload, err: unknown, log: LifecycleDeps["logger"]) {
      if (upload.mayHaveArrived && !(err instanceof GrammyError)) return;
      await models.Claim.deleteOne({ _id: attemptKey(gen, attempt), owner }).catch((e: Error) => log.warn({ err: e.message }, "delivery attempt not given back; the next one waits for it"));
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

/**
 * One attempt's request to Telegram. `signal` (the lease lost or overdue, a shutdown) aborts it only
 * until every body it carries has gone out whole: from then on Telegram may take it whatever we do,
 * so its answer is waited for and recorded.
 */
export function attemptUpload(signal: AbortSignal) {
  const controller = new AbortController();
  let left = false;
  let bodiesOut = 0;
  const mayHaveArrived = () => left && bodiesOut === 0;
  const stop = () => !mayHaveArrived() && controller.abort();
  if (signal.aborted) controller.abort();
  else signal.addEventListener("abort", stop, { once: true });
  return {
    signal: controller.signal,
    /** A body of the request: out once the request has read it to its end. */
    carry<T extends Readable>(body: T): T {
      bodiesOut++;
      body.once("end", () => bodiesOut--);
      return body;
    },
    /** The request leaves now. A request with no body (a link, after Telegram refused the upload) carries none of the bodies before it. */
    leave(opts: { bodiless?: boolean } = {}) {
      left = true;
      if (opts.bodiless) bodiesOut = 0;
    },
    get mayHaveArrived() {
      return mayHaveArrived();
    },
    done: () => signal.removeEventListener("abort", stop),
  };
}
export type AttemptUpload = ReturnType<typeof attemptUpload>;

/**
 * Takes the generation's current delivery attempt. One taken earlier that never recorded how it
 * ended (its holder lost the lease, or died) may still be recording a video Telegram took: that is
 * waited for, two leases, before the next attempt is taken. Undefined when handed back to wait.
 */
export async function takeAttempt(deps: LifecycleDeps, leases: Leases, attempts: DeliveryAttempts, claimed: GenerationDoc, log: LifecycleDeps["logger"]) {
  const graceMs = 2 * deps.config.leaseMs;
  let gen = claimed;
  for (;;) {
    if (await attempts.take(gen, gen.deliver_attempts)) return gen;
    const since = gen.delivery_unsure_since?.getTime();
    if (since === undefined || Date.now() - since < graceMs) {
      const from = since ?? Date.now();
      log.warn({ attempt: gen.deliver_attempts + 1 }, "an earlier delivery attempt has not recorded how it ended; waiting for it");
      await leases.finish(gen, { delivery_unsure_since: new Date(from), next_run_at: new Date(from + graceMs) });
      return undefined;
    }
    // Its holder is gone: the video is sent again (the one known way to deliver twice, as a crash mid-upload can).
    log.warn({ attempt: gen.deliver_attempts + 1 }, "an earlier delivery attempt never recorded how it ended; taking the next one");
    const next = await leases.updateAndGet(gen, { deliver_attempts: gen.deliver_attempts + 1, delivery_unsure_since: null });
    if (!next) return undefined;
    gen = next;
  }
}
