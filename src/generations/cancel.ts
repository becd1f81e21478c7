import { setTimeout as delay } from "node:timers/promises";
import type { Types } from "mongoose";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { MiniMaxClient } from "../minimax/client.js";
import { modelSpec } from "../minimax/models.js";
import { claimOnce, type ClaimKey } from "./claims.js";
import type { GenerationDoc, Leases } from "./leases.js";

/**
 * Whether a submission attempt goes to MiniMax or is cancelled is decided once, by inserting the
 * unique key fate:<generation>:<attempt>: the submitter inserts it right before its photo is fetched
 * and its create sent, the Cancel button when pressed. Exactly one of them wins on any
 * MongoDB-compatible server, so a cancelled job is never sent, whichever instance claimed it and
 * however the two race. The key is per attempt: an attempt MiniMax refused with a retryable answer
 * (or whose photo could not be fetched) sent nothing and goes back to the queue, and its "submit"
 * must not stop the user from cancelling the attempts to come.
 */
const fateKey = (id: Types.ObjectId | string, attempt: number) => `fate:${String(id)}:${attempt}`;
export type Fate = "submit" | "cancel";

async function decide(models: Models, id: Types.ObjectId | string, attempt: number, fate: Fate): Promise<Fate> {
  if (await claimOnce(models, fateKey(id, attempt), fate)) return fate;
  const taken = await models.Claim.findById(fateKey(id, attempt)).lean();
  return (taken?.owner as Fate | undefined) ?? fate;
}

type Attempt = Pick<GenerationDoc, "_id" | "submit_attempts">;

/**
 * True when the user cancelled one of attempts 1 to `last`. A cancel won on an attempt that then went
 * back to the queue without deciding (its lease lost, its instance gone) still stops the next ones.
 * The key of an older version, fate:<generation>, counts too.
 */
async function cancelledUpTo(models: Models, id: Types.ObjectId, last: number) {
  const keys = [`fate:${String(id)}`, ...Array.from({ length: last }, (_, i) => fateKey(id, i + 1))];
  return !!(await models.Claim.exists({ _id: { $in: keys }, owner: "cancel" }));
}

/** The submitter's side: "submit" means go ahead (now or earlier in this attempt), "cancel" means never. */
export async function decideSubmit(models: Models, gen: Attempt): Promise<Fate> {
  // A first attempt has no earlier one to look at: the common case costs one insert, as before.
  if (gen.submit_attempts > 1 && (await cancelledUpTo(models, gen._id, gen.submit_attempts - 1))) return "cancel";
  return decide(models, gen._id, gen.submit_attempts, "submit");
}

/**
 * A first attempt's decision as a claim, for a step that can take it in the same message as another
 * (its rate slot's); when it was taken, that attempt goes ahead. None from the second attempt on:
 * earlier attempts' fates are read before that one is claimed (decideSubmit).
 */
export const submitFate = (gen: Attempt): ClaimKey | undefined =>
  gen.submit_attempts > 1 ? undefined : { key: fateKey(gen._id, gen.submit_attempts), owner: "submit" satisfies Fate };

/** True when the user has cancelled it (checked while waiting for a rate slot, so no slot is wasted). */
export const isCancelled = (models: Models, gen: Attempt) => cancelledUpTo(models, gen._id, gen.submit_attempts);

/** Presses that find the job requeued between their read and their decision read it again, this many times. */
const MAX_CANCEL_READS = 3;

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
  const read = () =>
    models.Generation.findOne({ short_id: shortId, user_id: userId }).select("_id phase model error_code create_sent_at minimax_job_id minimax_status submit_attempts").lean();
  let gen = await read();
  if (!gen) return "not_found";
  if (gen.error_code === "cancelled") return "already";
  if (modelSpec(gen.model)?.cancelQueued && (gen.phase === "submitted" || gen.create_sent_at) && ["queued", "submitting", "submitted"].includes(gen.phase)) {
    // The create is on the wire, or its answer was lost: the task's id is not known yet.
    if (gen.phase !== "submitted" || !gen.minimax_job_id) return gen.phase === "submitted" ? "too_late" : "retry";
    if (STARTED.includes(gen.minimax_status)) return "too_late";
    return cancelAtMiniMax(deps, gen._id);
  }
  for (let reads = 1; ; reads++) {
    if (!["queued", "submitting"].includes(gen.phase) || gen.create_sent_at) return "too_late";
    // A queued job's next attempt is the one to stop (the claim that starts it counts it); a
    // submitting one's is the attempt under way.
    const attempt = gen.phase === "queued" ? gen.submit_attempts + 1 : gen.submit_attempts;
    if ((await decide(models, gen._id, attempt, "cancel")) === "cancel") break;
    // That attempt is going to MiniMax, unless it has been requeued since we read it (a retryable
    // refusal sends nothing): then the next one can still be stopped.
    const now = await read();
    if (!now || reads >= MAX_CANCEL_READS || (now.phase === gen.phase && now.submit_attempts === gen.submit_attempts)) return "too_late";
    gen = now;
  }
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
