import { callbackToken, secretsEqual } from "../secrets.js";
import { failureKind, MiniMaxApiError } from "../minimax/errors.js";
import { backoffMs, later, type LifecycleDeps } from "./deps.js";
import type { GenerationDoc, Leases } from "./leases.js";
import { createAdmission } from "./admission.js";
import { modelSpec, pollIntervalFor } from "../minimax/models.js";
import { CANCELLED } from "./cancel.js";
import { taskHintOf } from "./claims.js";

/**
 * Asks MiniMax where a claimed `submitted` generation stands. This is the only path to delivery:
 * callbacks are unsigned, so a success callback only makes this check run sooner. On success the
 * lease is kept and the generation, now `delivering`, is returned: the caller delivers it at once
 * or hands it back, which saves claiming it again.
 */
export async function checkStatus(deps: LifecycleDeps, leases: Leases, gen: GenerationDoc, signal?: AbortSignal, adoptTaskId?: string) {
  const { minimax, config, logger } = deps;
  const pollMs = pollIntervalFor(gen.model, config.pollIntervalMs);
  // A callback may name the task whose create answer was lost (now, or earlier to an instance that
  // could not take the generation then); the query below confirms it is real.
  const taskId = gen.minimax_job_id ?? adoptTaskId ?? (await taskHintOf(deps.models, gen.short_id));
  if (!taskId) {
    // Outcome of the create is unknown and no callback has named the task yet: keep waiting.
    return leases.finish(gen, { next_run_at: later(pollMs) });
  }
  // A job is timed from its submission: waiting in our own queue is not MiniMax's time. A task MiniMax
  // would not cancel at its timeout (it had just started) is timed again from then.
  const runningMs = Date.now() - (gen.timeout_restarted_at ?? gen.submitted_at ?? gen.created_at!).getTime();
  const expire = (message: string) =>
    leases.finish(gen, { phase: "notifying", minimax_status: "failed", error_code: "timeout", error_message: message, next_run_at: new Date() });
  let state;
  try {
    state = await minimax.queryTask({ model: gen.model, taskId }, signal);
  } catch (err) {
    if (signal?.aborted) return; // shutting down or the lease is gone; the next holder asks again
    // A paid job is not given up because one query failed; only when MiniMax stays unreachable.
    if (runningMs > 2 * config.generationTimeoutMs) return expire(`timed out; last query failed: ${(err as Error).message}`);
    const attempt = Math.max(1, Math.round((Date.now() - (gen.last_heard_at?.getTime() ?? Date.now())) / pollMs));
    logger.warn({ generation: gen.short_id, model: gen.model, err: (err as Error).message }, "status query failed; will ask again");
    if (err instanceof MiniMaxApiError && err.operatorProblem) logger.error({ code: err.code, model: gen.model }, "MiniMax refused our credentials: operator action needed");
    return leases.finish(gen, { next_run_at: later(Math.max(pollMs, backoffMs(attempt, config.retryBaseMs))) });
  }
  let now = new Date();
  const adopted = gen.minimax_job_id ? {} : { minimax_job_id: taskId, error_code: null };
  if (!gen.minimax_job_id) logger.info({ generation: gen.short_id, taskId }, "task adopted from a callback");
  // A task still queued past its timeout is cancelled at MiniMax if it can be, so it is never made
  // (and paid) for nobody. MiniMax refuses once the task has started: then it will bill the video,
  // so the generation goes on following it, timed again from now. Once only: a MiniMax that keeps
  // saying "queued" and keeps refusing must not hold the user's credits for ever.
  if (runningMs > config.generationTimeoutMs && state.status === "queued" && modelSpec(gen.model)?.cancelQueued) {
    const task = { model: gen.model, taskId };
    const log = logger.child({ generation: gen.short_id, taskId });
    const answer = await minimax.cancelTask(task, signal).catch((err: Error) => (log.warn({ err: err.message }, "the expired task could not be cancelled"), "unknown" as const));
    if (answer === "cancelled") {
      log.warn("MiniMax still queued the task past GENERATION_TIMEOUT_MIN; cancelled it");
      return expire("timed out");
    }
    if (gen.timeout_restarted_at) return expire(`timed out; MiniMax did not cancel it (${answer})`);
    log.warn({ answer }, "MiniMax did not cancel the task queued past GENERATION_TIMEOUT_MIN; following it on");
    const again = await minimax.queryTask(task, signal).catch(() => undefined);
    now = new Date();
    if (!again || again.status === "queued" || again.status === "processing") {
      return leases.finish(gen, { ...adopted, ...(again?.status === "processing" ? { minimax_status: "processing" } : {}), timeout_restarted_at: now, last_heard_at: now, next_run_at: later(pollMs) });
    }
    state = again; // over already: recorded below like any other answer
  }
  switch (state.status) {
    case "queued":
    case "processing":
      if (runningMs > config.generationTimeoutMs) {
        logger.warn({ generation: gen.short_id, taskId }, "MiniMax still working past GENERATION_TIMEOUT_MIN; giving up");
        return expire("timed out");
      }
      // Queued at MiniMax: not processing yet, so the Cancel button stays where MiniMax can cancel.
      return leases.finish(gen, { ...adopted, ...(state.status === "processing" ? { minimax_status: "processing" } : {}), last_heard_at: now, next_run_at: later(pollMs) });
    case "cancelled":
      // Only a task still queued can be cancelled, and MiniMax charges nothing for it.
      logger.info({ generation: gen.short_id, taskId }, "MiniMax reports the task cancelled");
      return leases.finish(gen, { ...adopted, ...CANCELLED, last_heard_at: now, next_run_at: now });
    case "success":
      logger.info({ generation: gen.short_id, model: gen.model }, "MiniMax reports success");
      // MiniMax has been paid: the reservation becomes a charge before anything else is recorded,
      // so a crash after this line captures nothing twice and one before it captures on the retry.
      await createAdmission(deps.models, config).settle(gen, "capture");
      return leases.updateAndGet(gen, {
        ...adopted,
        phase: "delivering",
        minimax_status: "success",
        delivery_started_at: now,
        // The v2 API has no file id nor size: its video is found by the task id.
        ...(state.fileId ? { minimax_file_id: state.fileId } : {}),
        ...(state.width && state.height ? { video_width: state.width, video_height: state.height } : {}),
        last_heard_at: now,
        next_run_at: now,
      });
    case "failed":
      logger.info({ generation: gen.short_id, model: gen.model, code: state.code }, "MiniMax reports failure");
      return leases.finish(gen, {
        ...adopted,
        phase: "notifying",
        minimax_status: "failed",
        error_code: failureKind(state.code),
        error_message: `${state.code} ${state.message}`,
        last_heard_at: now,
        next_run_at: now,
      });
  }
}

export type CallbackOutcome =
  /** An unknown generation, or a token that is not its own: one answer, so a caller learns nothing of which ids exist. */
  | { kind: "refused" }
  | { kind: "challenge"; challenge: string }
  | { kind: "accepted"; recheck?: { shortId: string; taskId?: string } };

/**
 * Handles a POST to /api/minimax_callback. The token in the URL proves the sender was given this
 * generation's callback URL: it is an HMAC of the generation id, so MiniMax's challenge, which
 * arrives while our create request waits, is answered without the database (also during an outage).
 * A token minted under an earlier CALLBACK_SECRET is still checked against the copy stored with the
 * generation. The body of a real callback is only a hint: nothing is written here, the worker
 * confirms with MiniMax's query endpoint (under its lease) before anything is delivered or charged.
 */
const STILL_WORKING = new Set(["preparing", "queueing", "processing", "queued", "running"]);

/**
 * What a status callback says: the task id and status, from v1's flat body or v2's `{task:{id, status}}`
 * (the wrapper is inferred: contract, section 7).
 */
export function callbackTask(body: Record<string, unknown>) {
  const task = typeof body.task === "object" && body.task !== null && !Array.isArray(body.task) ? (body.task as Record<string, unknown>) : undefined;
  const id = task ? (task.id ?? task.task_id) : body.task_id;
  const status = task ? task.status : body.status;
  return { taskId: id == null || id === "" ? undefined : String(id), status: String(status ?? "").toLowerCase() };
}

const challengeOf = (body: Record<string, unknown>) =>
  typeof body.challenge === "string" || typeof body.challenge === "number" ? String(body.challenge) : undefined;

/**
 * The answer to MiniMax's challenge when the token is this generation's under the current secret:
 * an HMAC, so no lookup. Undefined otherwise (not a challenge, or a token only the database can check).
 */
export function signedChallenge(callbackSecret: string, params: { generation: string; token: string }, body: Record<string, unknown>) {
  const challenge = challengeOf(body);
  return challenge !== undefined && secretsEqual(params.token, callbackToken(callbackSecret, params.generation)) ? challenge : undefined;
}

/**
 * Every token we have minted has this shape, under whichever secret: an HMAC-SHA-256 in base64url
 * (43 characters), or the 24 random bytes of the first releases (32), still stored with old jobs.
 */
const TOKEN_SHAPE = /^(?:[\w-]{32}|[\w-]{43})$/;

export async function handleCallback(
  deps: Pick<LifecycleDeps, "models" | "logger"> & {
    callbackSecret: string;
    /** True while this instance's own submit step holds the generation (its create's answer on the way). */
    submittingHere?: (shortId: string) => boolean;
  },
  params: { generation: string; token: string },
  body: Record<string, unknown>,
): Promise<CallbackOutcome> {
  const signed = secretsEqual(params.token, callbackToken(deps.callbackSecret, params.generation));
  // No token of ours looks like this one, under any secret: refused without reading the database.
  if (!signed && !TOKEN_SHAPE.test(params.token)) return { kind: "refused" };
  const challenge = challengeOf(body);
  if (signed && challenge !== undefined) return { kind: "challenge", challenge };
  // Signed for this generation, and the task is over: the worker's claim finds the generation if it
  // still waits for MiniMax (a task id it has wins over the one named here), and MiniMax's answer
  // decides. Reading the generation here first would cost a query and tell nothing more.
  const { taskId, status } = callbackTask(body);
  if (signed && taskId && !STILL_WORKING.has(status)) {
    return { kind: "accepted", recheck: { shortId: params.generation, taskId } };
  }
  // "Still working" while our own submit step holds it (MiniMax calls as soon as the task starts):
  // the read below would find it submitting and do nothing either.
  if (signed && STILL_WORKING.has(status) && deps.submittingHere?.(params.generation)) return { kind: "accepted" };

  const gen = await deps.models.Generation.findOne({ short_id: params.generation }).select("+callback_token phase minimax_job_id short_id");
  // Unknown, or known with a token an earlier secret did not mint either: the same answer after the same read.
  if (!gen || !(signed || (gen.callback_token && secretsEqual(params.token, gen.callback_token)))) return { kind: "refused" };
  if (challenge !== undefined) return { kind: "challenge", challenge };

  if (taskId && gen.minimax_job_id && taskId !== gen.minimax_job_id) {
    deps.logger.warn({ generation: gen.short_id }, "callback names another task; ignored");
    return { kind: "accepted" };
  }
  if (gen.phase !== "submitted") return { kind: "accepted" };
  // "Still working" about a task we know tells nothing the scheduled poll would not: checking now
  // would cost a claim, a write and a MiniMax query per generation. A task we have yet to adopt
  // (the create's answer was lost) is still checked at once.
  if (gen.minimax_job_id && STILL_WORKING.has(status)) return { kind: "accepted" };
  return { kind: "accepted", recheck: { shortId: gen.short_id, taskId: gen.minimax_job_id ? undefined : taskId } };
}
