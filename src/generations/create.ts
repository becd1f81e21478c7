import { randomInt } from "node:crypto";
import type { Types } from "mongoose";
import { enabledModel } from "./settings.js";
import { callbackToken } from "../secrets.js";
import type { Models } from "../db/models.js";
import { untilStored, type LifecycleDeps } from "./deps.js";
import { createAdmission } from "./admission.js";
import { claimOnce } from "./claims.js";
import { laneFilter, laneOf, queueFigures } from "./lanes.js";
import { isDuplicateKey } from "../db/errors.js";

export interface NewGeneration {
  chatId: number;
  userId: number;
  sourceMessageId: number;
  locale: string;
  prompt: string;
  image: { file_id: string; file_unique_id: string; mime: string; width: number; height: number; size?: number; sent_as?: string };
  /** The user's settings (src/generations/settings.ts); the configured defaults when absent. */
  options?: GenerationOptions;
}

/** What a generation records beyond the request itself: settings used, camera moves, its origin. */
export interface GenerationOptions {
  model?: string;
  duration?: number;
  resolution?: string;
  prompt_optimizer?: boolean;
  user_prompt?: string;
  camera_moves?: string[];
  /** The shape the photo is fitted to at submission (images/formats.ts). */
  format?: string;
  variation_of?: string;
  /** A transition's second photo (the video ends on it). */
  last_image?: NewGeneration["image"];
  /** An album made one video: its photos as reference pictures, in order. */
  references?: NewGeneration["image"][];
  /** A regeneration: the finished video it renders again. */
  regenerated_from?: string;
  /** Where its messages reply, when its key is not a message of the chat (a pack member). */
  reply_to_message_id?: number;
  /** The album or variant pack it belongs to; a pack member's place and camera move. */
  group_id?: string;
  pack_index?: number;
  pack_move?: string;
  /** The template it was made from. */
  template?: string;
}

export type CreateResult =
  | { kind: "created"; id: Types.ObjectId; shortId: string; model: string; position: number; waitMinutes: number; price: number; balance: number }
  | { kind: "duplicate" }
  | { kind: "limit"; max: number }
  | { kind: "credits"; price: number; balance: number };

// No 0/o/1/l/i: short ids get typed back into /status.
const ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
export const newShortId = () => Array.from({ length: 7 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join("");

export const HELD = new Date(8.64e15); // far future: the worker cannot see it yet

/**
 * Records a request. The document is inserted held back from the worker, then admitted only by
 * reserving its price in the user's ledger, which also checks MAX_ACTIVE_PER_USER (admission.ts);
 * the unique (chat_id, source_message_id) index turns a redelivered Telegram update into a no-op
 * instead of a second paid task. Should this process die before the hold is lifted, the worker's
 * recovery reads the reservation to decide.
 */
export async function createGeneration(deps: Pick<LifecycleDeps, "config" | "models" | "logger">, input: NewGeneration): Promise<CreateResult> {
  const { config, models } = deps;
  const { Generation } = models;
  const defaultModel = enabledModel(config, config.model);
  let doc;
  for (let attempt = 0; ; attempt++) {
    const shortId = newShortId();
    try {
      doc = await Generation.create({
        short_id: shortId,
        chat_id: input.chatId,
        user_id: input.userId,
        source_message_id: input.sourceMessageId,
        locale: input.locale,
        prompt: input.prompt,
        model: defaultModel.id,
        ...(defaultModel.fixedOutput ? {} : { duration: config.duration, resolution: config.resolution }),
        ...input.options,
        image: input.image,
        // Kept with the generation, so a token still checks out after CALLBACK_SECRET changes.
        callback_token: callbackToken(config.callbackSecret, shortId),
        next_run_at: HELD,
        lease_until: new Date(0),
      });
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await Generation.findOne({ chat_id: input.chatId, source_message_id: input.sourceMessageId }).select(
        "_id user_id short_id model duration resolution next_run_at",
      );
      // Still held back: the attempt that inserted it failed before admitting it (the database went
      // away mid-way), and this is Telegram's redelivery. Finish the admission (the reservation is
      // keyed by the generation, so it is made once) instead of dropping the request.
      if (existing && existing.next_run_at.getTime() === HELD.getTime()) {
        doc = existing;
        break;
      }
      if (existing) return { kind: "duplicate" };
      if (attempt >= 3) throw err; // a short_id collision three times running is not luck
    }
  }

  // One answer per attempt: an attempt finishing a held admission and the attempt that began it
  // (still running) share this document and can both get this far; the one that takes this key
  // replies. A refused attempt deletes its document, so a later press of the same button is a new
  // attempt with a key of its own, and gets its own answer.
  const firstToAnswer = () => claimOnce(models, `answered:${String(doc._id)}`);
  const control = createAdmission(models, config);
  const admission = await control.reserve(doc);
  if (admission.kind === "abandoned") {
    // Recovery voided this held request while its redelivery was on the way: take it as new.
    await Generation.deleteOne({ _id: doc._id, next_run_at: HELD });
    return createGeneration(deps, input);
  }
  if (admission.kind !== "admitted") {
    // Another attempt sharing this document may have reserved since our refusal (a payment landed,
    // a job ended) and admitted it. Deleting it then would strand that reservation, a credit and a
    // MAX_ACTIVE_PER_USER slot for good. The reservation key decides: only once our void takes it
    // can no reservation land, and the document may go.
    if (!(await control.abandon(doc))) return { kind: "duplicate" };
    await Generation.deleteOne({ _id: doc._id, next_run_at: HELD });
    return (await firstToAnswer()) ? admission : { kind: "duplicate" };
  }
  // Only the attempt that answers lifts the hold. Two attempts may be finishing one admission (a
  // redelivery, an update handled again from the inbox); if both wrote here, FerretDB's whole-document
  // write of the slower one could land after the worker's claim and undo it, and the generation
  // would be claimed, and submitted, a second time.
  // It keeps trying through an outage: no other attempt will lift it (the sweep would, a lease later).
  if (!(await firstToAnswer())) return { kind: "duplicate" };
  const held = doc;
  await untilStored(() => Generation.updateOne({ _id: held._id, next_run_at: HELD }, { $set: { next_run_at: new Date(), price: admission.price } }), {
    logger: deps.logger,
    what: "the admission",
    retryBaseMs: config.retryBaseMs,
  });

  const lane = laneOf(doc.model);
  const position = await queuePosition(models, doc._id, doc.model);
  return { kind: "created", id: doc._id, shortId: doc.short_id, model: doc.model, price: admission.price, balance: admission.balance, ...queueFigures(config, lane, position) };
}

/**
 * 1 for the next generation of its lane to be submitted; those of the lane already waiting for a
 * slot count as ahead (the other lane's queue is not in its way).
 */
export async function queuePosition(models: Models, id: unknown, model: string): Promise<number> {
  const ahead = await models.Generation.countDocuments({
    phase: { $in: ["queued", "submitting"] },
    next_run_at: { $lt: HELD },
    _id: { $lt: id },
    ...laneFilter(laneOf(model)),
  });
  return ahead + 1;
}

