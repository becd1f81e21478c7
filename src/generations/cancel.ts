import { setTimeout as delay } from "node:timers/promises";
import type { Types } from "mongoose";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { MiniMaxClient } from "../minimax/client.js";
import { modelSpec } from "../minimax/models.js";
import { claimOnce, type ClaimKey } from "./claims.js";
import type { GenerationDoc, Leases } from "./leases.js";

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

/** The submitter's decision as a claim, for a step that can take it in the same message as another (its rate slot's). */
export const submitFate = (id: Types.ObjectId): ClaimKey => ({ key: fateKey(id), owner: "submit" satisfies Fate });

/** True when the user has cancelled it (checked while waiting for a rate slot, so no slot is wasted). */
export async function isCancelled(models: Models, id: Types.ObjectId) {
  const taken = await models.Claim.findById(fateKey(id)).lean();
  return taken?.owner === "cancel";
}

/** The fields a cancelled generation ends with; the notifier tells the user and closes it. */
export const CANCELLED = { phase: "notifying", minimax_status: "failed", error_code: "cancelled", error_message: "cancelled by the user" } as const;

/** "retry": MiniMax may still cancel it, but not this moment (its create is on the wire, it is being checked, MiniMax did not answer). */
export type CancelOutcome = "cancelled" | "already" | "too_late" | "not_found" | "retry";

export interface CancelDeps {
  models: Models;
  leases: Leases;
  minimax: Pick<MiniMaxClient, "cancelTask" | "queryTask">;
  logger: Logger;
  /** How long a press waits for a status check holding the generation. */
  waitMs?: number;
}

/** How long a press waits for MiniMax's DELETE (and the query after a refusal). */
const MINIMAX_ANSWER_MS = 4_000;

/** MiniMax has said something past "queued" about the task: it runs, or is over. */
const STARTED = ["processing", "success", "failed"];

/**
 * The Cancel button. If the generation is waiting in the queue unclaimed, we take its lease and end
 * it here; if a worker holds it (waiting for a rate slot), that worker sees the decision before it
 * sends anything and ends it itself. A task MiniMax has queued is cancelled there, for a model whose
 * API allows it (see cancelAtMiniMax).
 */
export async function cancelGeneration(deps: CancelDeps, shortId: string, userId: number): Promise<CancelOutcome> {
  const { models, leases } = deps;
  const gen = await models.Generation.findOne({ short_id: shortId, user_id: userId }).select("_id phase model error_code create_sent_at minimax_job_id minimax_status").lean();
  if (!gen) return "not_found";
  if (gen.error_code === "cancelled") return "already";
  if (modelSpec(gen.model)?.cancelQueued && (gen.phase === "submitted" || gen.create_sent_at) && ["queued", "submitting", "submitted"].includes(gen.phase)) {
    // The create is on the wire, or its answer was lost: the task's id is not known yet.
    if (gen.phase !== "submitted" || !gen.minimax_job_id) return gen.phase === "submitted" ? "too_late" : "retry";
    if (STARTED.includes(gen.minimax_status)) return "too_late";
    return cancelAtMiniMax(deps, gen._id);
  }
  if (!["queued", "submitting"].includes(gen.phase) || gen.create_sent_at) return "too_late";
  const fate = await decide(models, gen._id, "cancel");
  if (fate === "submit") return "too_late";
  const claimed = await leases.claim({ _id: gen._id, phase: "queued" }, { ignoreSchedule: true });
  if (claimed) await leases.finish(claimed, { ...CANCELLED, next_run_at: new Date() });
  return "cancelled";
}

/**
 * Cancels a task MiniMax still has queued: under the generation's lease (a status check holding it
 * is waited for a moment), so the ending is written once. MiniMax's DELETE decides; when it refuses,
 * a query tells whether the task runs already ("too late") or still waits ("retry"). A cancelled
 * generation is closed by the notifier, which gives the credits back: MiniMax charges nothing for a
 * task cancelled while queued.
 */
async function cancelAtMiniMax(deps: CancelDeps, id: Types.ObjectId): Promise<CancelOutcome> {
  const { leases, minimax, logger } = deps;
  const waitMs = deps.waitMs ?? 1_500;
  let held: GenerationDoc | null = null;
  for (const started = Date.now(); !(held = await leases.claim({ _id: id, phase: "submitted" }, { ignoreSchedule: true })); ) {
    if (Date.now() - started > waitMs) return "retry";
    await delay(150);
  }
  const task = { model: held.model, taskId: held.minimax_job_id ?? "" };
  const log = logger.child({ generation: held.short_id, model: held.model, taskId: task.taskId });
  if (!task.taskId || STARTED.includes(held.minimax_status)) {
    await leases.finish(held, {});
    return "too_late";
  }
  // The press is answered well within a webhook's patience, whatever MiniMax does.
  const signal = AbortSignal.timeout(MINIMAX_ANSWER_MS);
  try {
    const state = (await minimax.cancelTask(task, signal)) === "cancelled" ? "cancelled" : (await minimax.queryTask(task, signal)).status;
    if (state === "cancelled") {
      log.info("task cancelled at MiniMax by the user");
      await leases.finish(held, { ...CANCELLED, error_message: "cancelled at MiniMax by the user", last_heard_at: new Date(), next_run_at: new Date() });
      return "cancelled";
    }
    if (state === "queued") {
      await leases.finish(held, {});
      return "retry";
    }
    // It runs (or is over): the status check records where it stands now.
    await leases.finish(held, { next_run_at: new Date() });
    return "too_late";
  } catch (err) {
    log.warn({ err: (err as Error).message }, "cancelling at MiniMax failed; the user may press again");
    await leases.finish(held, {});
    return "retry";
  }
}
