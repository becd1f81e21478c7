import type { Types } from "mongoose";
import type { Config } from "../config.js";
import { fixedCombination, modelSpec, priceKey } from "../minimax/models.js";
import type { Models } from "../db/models.js";
import { createAccounts, type Accounts } from "../credits/accounts.js";
import { referencesSurcharge } from "../prices.js";

/** The parts of a generation that admission and settlement read. */
export interface Admissible {
  _id: Types.ObjectId;
  user_id: number;
  short_id: string;
  model: string;
  duration?: number | null;
  resolution?: string | null;
  /** An album made one video: its reference pictures (more than MiniMax takes free cost extra). */
  references?: readonly unknown[] | null;
  /** A regeneration is priced as a video of its resolution and length, whatever its source was made from. */
  regenerated_from?: string | null;
}

export type AdmissionRefusal = { kind: "limit"; max: number } | { kind: "credits"; price: number; balance: number };
export type Admission = { kind: "admitted"; price: number; balance: number } | AdmissionRefusal | { kind: "abandoned" };

/**
 * Credits a generation costs, from the model, duration and resolution it will be made with, plus
 * what reference pictures beyond MiniMax's free ones add (prices.ts).
 */
export function priceOf(config: Pick<Config, "prices">, gen: Pick<Admissible, "model" | "duration" | "resolution" | "references" | "regenerated_from">): number {
  const model = modelSpec(gen.model);
  // A fixed-output model (I2V-01) makes its one option, whatever is asked.
  const made = model?.fixedOutput ? fixedCombination(model) : { duration: gen.duration ?? 6, resolution: gen.resolution ?? "768P" };
  const key = priceKey(made.duration, made.resolution);
  const price = config.prices[gen.model]?.[key];
  if (price === undefined) throw new Error(`no price for ${gen.model} ${key}`);
  const photos = gen.regenerated_from ? 0 : (gen.references?.length ?? 0);
  return price + (model && photos ? referencesSurcharge(model, photos) : 0);
}

/**
 * ✨ 2K under a finished video: what its regeneration would be made at and cost (a video of that
 * resolution and length), or undefined when there is none: its model renders nothing again
 * (models.ts), is no longer enabled, or the video is not at the resolution regenerated from.
 */
export function regenerationOf(
  config: Pick<Config, "prices" | "models">,
  gen: Pick<Admissible, "model" | "duration" | "resolution" | "regenerated_from">,
): { resolution: string; price: number } | undefined {
  const spec = modelSpec(gen.model)?.regeneration;
  if (!spec || gen.regenerated_from || gen.resolution !== spec.from || !config.models.some((m) => m.id === gen.model)) return undefined;
  const price = config.prices[gen.model]?.[priceKey(gen.duration ?? 0, spec.to)];
  return price === undefined ? undefined : { resolution: spec.to, price };
}

/**
 * The video a photo makes with the configured defaults: how long it is (a fixed-output model
 * makes its own length) and what it costs. The invoice names both.
 */
export function defaultVideo(config: Pick<Config, "prices" | "model" | "duration" | "resolution">) {
  const model = modelSpec(config.model);
  const seconds = model?.fixedOutput ? fixedCombination(model).duration : config.duration;
  return { seconds, price: priceOf(config, { model: config.model, duration: config.duration, resolution: config.resolution }) };
}

export const reserveKey = (id: Types.ObjectId) => `gen:${String(id)}:reserve`;
export const settleKey = (id: Types.ObjectId) => `gen:${String(id)}:settle`;

/**
 * One per-user admission for both limits: a generation starts only by reserving its price, and the
 * reservation also counts it in flight, in the same ledger entry. So MAX_ACTIVE_PER_USER and the
 * balance are checked against one state and can never disagree, and both are race-free for the
 * reason given in credits/accounts.ts: each state has exactly one successor.
 */
export function createAdmission(models: Models, config: Pick<Config, "prices" | "freeCredits" | "maxActivePerUser">, accounts: Accounts = createAccounts(models, config)) {
  /** Takes the reservation key with a zero `void` entry, unless a reservation took it first: that one is returned. */
  async function reservationBefore(gen: Pick<Admissible, "_id" | "user_id" | "short_id">) {
    const result = await accounts.apply(gen.user_id, reserveKey(gen._id), () => ({ kind: "void", credits: 0, generation_id: gen._id, short_id: gen.short_id }));
    return result.kind === "already" && result.entry.kind === "reserve" ? result.entry : undefined;
  }

  return {
    accounts,

    async reserve(gen: Admissible): Promise<Admission> {
      const price = priceOf(config, gen);
      const result = await accounts.apply<AdmissionRefusal>(gen.user_id, reserveKey(gen._id), (state) => {
        if (state.inFlight + 1 > config.maxActivePerUser) return { refuse: { kind: "limit", max: config.maxActivePerUser } };
        if (state.balance < price) return { refuse: { kind: "credits", price, balance: state.balance } };
        return { kind: "reserve", credits: -price, active: 1, price, generation_id: gen._id, short_id: gen.short_id };
      });
      switch (result.kind) {
        case "applied":
          return { kind: "admitted", price, balance: result.state.balance };
        case "refused":
          return result.reason;
        case "already":
          // Recovery gave up on this admission before we got here (see recoverHeld).
          if (result.entry.kind !== "reserve") return { kind: "abandoned" };
          // What was reserved then, should the prices have changed since.
          return { kind: "admitted", price: result.entry.price ?? -result.entry.credits, balance: result.entry.balance };
        case "nothing":
          throw new Error("reserve planned nothing");
      }
    },

    /**
     * Ends a generation's reservation once: `capture` keeps the credits (MiniMax made the video),
     * `release` gives them back. Both take the same key, so a generation is settled one way only,
     * however often and from wherever this is called.
     */
    async settle(gen: Pick<Admissible, "_id" | "user_id" | "short_id"> & { price?: number | null }, how: "capture" | "release") {
      // The price is written on the generation when it is admitted, which saves reading the reservation.
      let price = gen.price;
      if (price == null) {
        const reservation = await accounts.byKey(reserveKey(gen._id));
        if (reservation?.kind !== "reserve") return null; // never admitted: nothing was taken
        price = reservation.price ?? -reservation.credits;
      }
      const result = await accounts.apply(gen.user_id, settleKey(gen._id), () => ({
        kind: how,
        credits: how === "release" ? price : 0,
        active: -1,
        price,
        generation_id: gen._id,
        short_id: gen.short_id,
      }));
      return result.kind === "applied" || result.kind === "already" ? result.entry : null;
    },

    /**
     * Takes the reservation key of a generation that will not be admitted, with a zero `void` entry:
     * true once no reservation can land any more; false when one landed first (another attempt admitted it).
     */
    abandon: async (gen: Pick<Admissible, "_id" | "user_id" | "short_id">) => !(await reservationBefore(gen)),

    /**
     * A generation held back longer than `olderThanMs` lost its admitting process between the
     * insert and the reservation's outcome. The reservation key decides what it was: reserved
     * means admitted (let it run); otherwise a zero `void` entry takes the key, so a late
     * reservation can no longer land, and the generation goes.
     */
    async recoverHeld(held: Date, olderThanMs: number) {
      const stale = await models.Generation.find({ next_run_at: held, created_at: { $lt: new Date(Date.now() - olderThanMs) } }).select(
        "_id user_id short_id",
      );
      for (const gen of stale) {
        const reserved = await reservationBefore(gen);
        if (reserved) await models.Generation.updateOne({ _id: gen._id, next_run_at: held }, { $set: { next_run_at: new Date(), price: reserved.price ?? -reserved.credits } });
        else await models.Generation.deleteOne({ _id: gen._id, next_run_at: held });
      }
      return stale.length;
    },
  };
}
export type AdmissionControl = ReturnType<typeof createAdmission>;
