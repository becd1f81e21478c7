import type { Types } from "mongoose";
import type { Models } from "../db/models.js";
import { claimOnce } from "./claims.js";
import type { Leases } from "./leases.js";

/**
 * Whether a generation goes to MiniMax or is cancelled is decided once, by inserting the unique key
 * fate:<generation>: the submitter inserts it right before the create request leaves, the Cancel
 * button when pressed. Exactly one of them wins on any MongoDB-compatible server, so a cancelled job
 * is never sent, whichever instance claimed it and however the two race.
 */
const fateKey = (id: Types.ObjectId | string) => `fate:${String(id)}`;
export type Fate = "submit" | "cancel";

async function decide(models: Models, id: Types.ObjectId | string, fate: Fate): Promise<Fate> {
  if (await claimOnce(models, fateKey(id), fate)) return fate;
  const taken = await models.Claim.findById(fateKey(id)).lean();
  return (taken?.owner as Fate | undefined) ?? fate;
}

/** The submitter's side: "submit" means go ahead (now or on an earlier attempt), "cancel" means never. */
export const decideSubmit = (models: Models, id: Types.ObjectId) => decide(models, id, "submit");

/** True when the user has cancelled it (checked while waiting for a rate slot, so no slot is wasted). */
export async function isCancelled(models: Models, id: Types.ObjectId) {
  const taken = await models.Claim.findById(fateKey(id)).lean();
  return taken?.owner === "cancel";
}

/** The fields a cancelled generation ends with; the notifier tells the user and closes it. */
export const CANCELLED = { phase: "notifying", minimax_status: "failed", error_code: "cancelled", error_message: "cancelled by the user" } as const;

export type CancelOutcome = "cancelled" | "already" | "too_late" | "not_found";

/**
 * The Cancel button. If the generation is waiting in the queue unclaimed, we take its lease and end
 * it here; if a worker holds it (waiting for a rate slot), that worker sees the decision before it
 * sends anything and ends it itself.
 */
export async function cancelGeneration(deps: { models: Models; leases: Leases }, shortId: string, userId: number): Promise<CancelOutcome> {
  const { models, leases } = deps;
  const gen = await models.Generation.findOne({ short_id: shortId, user_id: userId }).select("_id phase error_code create_sent_at").lean();
  if (!gen) return "not_found";
  if (gen.error_code === "cancelled") return "already";
  if (!["queued", "submitting"].includes(gen.phase) || gen.create_sent_at) return "too_late";
  const fate = await decide(models, gen._id, "cancel");
  if (fate === "submit") return "too_late";
  const claimed = await leases.claim({ _id: gen._id, phase: "queued" }, { ignoreSchedule: true });
  if (claimed) await leases.finish(claimed, { ...CANCELLED, next_run_at: new Date() });
  return "cancelled";
}
