import type { QueryFilter, Types } from "mongoose";
import type { GenerationFields, Phase } from "../db/models.js";
import { createLeases, keepLease, type GenerationDoc, type Held } from "./leases.js";
import { createSubmitGates, LANE_NAMES, laneFilter, laneOf, type LaneName } from "./lanes.js";
import { noteTaskHint, pruneClaims } from "./claims.js";
import { recoverSubmit, submitGeneration } from "./submit.js";
import { checkStatus } from "./status.js";
import { notifyFailure } from "./deliver.js";
import { deliver } from "./deliver-pack.js";
import { createAdmission } from "./admission.js";
import { HELD } from "./create.js";
import { later, untilStored, type LifecycleDeps } from "./deps.js";
import { isStorageUnavailable, isWriteLockBusy } from "../db/errors.js";

/**
 * A step of the lifecycle. `signal` stops its side effects (an upload, a download, a wait): the
 * lease is lost or overdue, or a shutdown ran out of time. `recordSignal` stops it retrying the
 * write of an outcome that already happened (Telegram took the video, MiniMax gave a task id): only
 * a shutdown out of time or a lease certainly taken over ends that, as the write carries the epoch.
 */
type Handler = (gen: GenerationDoc, signal: AbortSignal, recordSignal: AbortSignal) => Promise<unknown>;
type WorkPhase = Exclude<Phase, "delivered" | "failed">;
/** What a step does: a phase's work, expiry, or a submission in one lane's queue (see lanes.ts). */
type Kind = Exclude<WorkPhase, "queued"> | "expiring" | `queued:${LaneName}`;

/** How many generations of each kind one instance works on at once: the submissions of each lane apart. */
const CONCURRENCY: Record<Kind, number> = {
  "queued:v1": 5,
  "queued:v2": 5,
  submitting: 2,
  submitted: 8,
  delivering: 3,
  notifying: 4,
  expiring: 4,
};
const queuedKind = (lane: LaneName) => `queued:${lane}` as const;
const isSubmission = (kind: Kind | undefined) => kind?.startsWith("queued:") === true;
/** Phases in which MiniMax has, or may have, the generation's task: leaving them gives its task slot back. */
const AT_MINIMAX = new Set(["submitting", "submitted"]);
const PRUNE_EVERY_MS = 3600_000;
/** Beyond this many the poll is soon enough: a burst of callbacks must not grow memory without bound. */
const MAX_WAITING_RECHECKS = 1_000;
/** Claimed in this order in each pass. `submitting` only when its owner died: live owners renew their lease. */
const WORK_PHASES: WorkPhase[] = ["notifying", "delivering", "submitted", "submitting", "queued"];

/**
 * What may be expired without asking MiniMax. A job MiniMax has (a task id) is timed from its
 * submission and expired only by the status check, after a query. What is left: a queued job,
 * which never reached MiniMax, timed from the photo; and a create whose outcome is unknown and
 * whose callback never came, timed from when it was sent.
 */
const expiringFilter = (cutoff: Date): QueryFilter<GenerationFields> => ({
  $or: [
    { phase: "queued", created_at: { $lt: cutoff } },
    { phase: "submitted", minimax_job_id: { $exists: false }, submitted_at: { $lt: cutoff } },
    // Written before submitted_at was recorded for unknown outcomes.
    { phase: "submitted", minimax_job_id: { $exists: false }, submitted_at: { $exists: false }, created_at: { $lt: cutoff } },
  ],
});

/**
 * Drives every generation to its end. All state is in MongoDB and every step starts with a claim
 * (see leases.ts), so any number of instances can run this side by side, and whatever a crashed
 * instance left half-done is picked up once its lease expires, by the periodic sweep or at start.
 */
export function createGenerationWorker(deps: LifecycleDeps) {
  const { config, logger } = deps;
  const created = createLeases(deps.models, deps.instanceId, config.leaseMs);
  const observed = deps.metrics ? deps.metrics.observeTransitions(created) : created;
  const gates = createSubmitGates(deps.models, config);
  /** A step left work due at once (a failure to tell, a retry now): worth a pass right after it. */
  let dueNow = false;
  /**
   * A generation that leaves MiniMax (its task is over, refused, cancelled, or was never sent) gives
   * back the task slot its lane may hold for it, once that phase change has landed. One that fails
   * here is freed by the next submission that finds every slot taken (rate-limit.ts).
   */
  const releaseTaskSlot = (held: { _id: unknown; model?: string | null }, set: Record<string, unknown>) => {
    const tasks = gates.forModel(held.model).tasks;
    if (!tasks || typeof set.phase !== "string" || AT_MINIMAX.has(set.phase)) return;
    return tasks.release(String(held._id)).catch((err: Error) => logger.warn({ generation: String(held._id), err: err.message }, "task slot not given back; the next submission frees it"));
  };
  /** What a step of this process last wrote as it handed its generation back, by the claim it held. */
  const handedBack = new WeakMap<object, Record<string, unknown>>();
  const leases: typeof observed = {
    ...observed,
    async finish(held, set, unset) {
      const ours = await observed.finish(held, set, unset);
      if (ours) handedBack.set(held, set);
      if (ours) await releaseTaskSlot(held as GenerationDoc, set);
      if (ours && set.next_run_at instanceof Date && set.next_run_at.getTime() <= Date.now()) dueNow = true;
      return ours;
    },
    async updateAndGet(held, set) {
      const written = await observed.updateAndGet(held, set);
      if (written) await releaseTaskSlot(written, set);
      return written;
    },
  };
  /** Callbacks' rechecks waiting for a free status check, by short id (the task id to adopt, if any). */
  const rechecks = new Map<string, string | undefined>();
  /** The steps this process runs, by short id, with the claim each holds. */
  const stepsHere = new Map<string, { kind: Kind; gen: GenerationDoc }>();
  /** Kinds whose last claim loop stopped at the concurrency limit with more work waiting. */
  const saturated = new Set<Kind>();
  const active: Record<Kind, number> = { "queued:v1": 0, "queued:v2": 0, submitting: 0, submitted: 0, delivering: 0, notifying: 0, expiring: 0 };
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let stopping = false;
  let pumping = false;
  let pumpAgain = false;
  /** The periodic sweep asked for a pass (not yet run): it also looks for expired generations. */
  let sweepAsked = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let lastPrune = 0;
  let lastHeldCheck = 0;
  const pendingClaims = new Set<Promise<unknown>>();
  /** Aborted on stop: ends hand-backs still waiting for MongoDB (their leases expire instead). */
  const stopSignal = new AbortController();

  const submit: Handler = (gen, signal, recordSignal) => submitGeneration(deps, leases, gates.forModel(gen.model), gen, signal, recordSignal);
  const handlers: Record<Kind, Handler> = {
    "queued:v1": submit,
    "queued:v2": submit,
    submitting: (gen) => recoverSubmit(deps, leases, gen),
    submitted: (gen, signal, recordSignal) => checkThenDeliver(gen, signal, recordSignal),
    delivering: (gen, signal, recordSignal) => deliver(deps, leases, gen, signal, recordSignal),
    notifying: (gen, _signal, recordSignal) => notifyFailure(deps, leases, gen, recordSignal),
    // Waited past GENERATION_TIMEOUT_MIN: the user is told by the notifier.
    expiring: (gen) =>
      leases.finish(gen, { phase: "notifying", minimax_status: "failed", error_code: "timeout", error_message: "timed out", next_run_at: new Date() }),
  };

  /**
   * A success found by the status check is delivered at once under the same lease: no second claim,
   * no wait for the next pass. These deliveries are bounded by the status checks' own concurrency;
   * CONCURRENCY.delivering bounds the ones claimed as such (retries, and those left by a dead instance).
   */
  async function checkThenDeliver(gen: GenerationDoc, signal: AbortSignal, recordSignal: AbortSignal, adoptTaskId?: string) {
    const succeeded = await checkStatus(deps, leases, gen, signal, adoptTaskId);
    if (!succeeded || typeof succeeded !== "object") return;
    if (stopping || signal.aborted) return leases.finish(succeeded, {});
    active.delivering++;
    try {
      return await deliver(deps, leases, succeeded, signal, recordSignal);
    } finally {
      active.delivering--;
    }
  }

  function run(kind: Kind, gen: GenerationDoc, handler: Handler = handlers[kind]) {
    active[kind]++;
    stepsHere.set(gen.short_id, { kind, gen });
    leases.busy.add(String(gen._id));
    const controller = new AbortController();
    const recording = new AbortController();
    controllers.add(controller).add(recording);
    // Keep the lease alive during long steps. Cut off from MongoDB, the step stops what it is doing
    // before the lease can expire and another instance claim the generation.
    const stopRenewing = keepLease(() => leases.renew(gen), config.leaseMs, (why) => {
      logger.warn({ generation: gen.short_id, phase: kind, why }, "lease lost; the step stops");
      controller.abort();
      if (why === "taken over") recording.abort();
    });
    const task = handler(gen, controller.signal, recording.signal)
      .then(() => undefined)
      .catch((err: Error) => {
        logger.error({ generation: gen.short_id, phase: kind, err: err.message }, "generation step failed");
        // FerretDB's write lock is crowded: the step is tried again in a second or two (jittered), not
        // at once into the same crowd, nor only once its lease has expired.
        if (isWriteLockBusy(err) && !stopping) {
          const retryAt = later(1_000 + Math.random() * 2_000);
          void untilStored(() => leases.finish(gen, { next_run_at: retryAt }), { logger, what: "the lease hand-back", retryBaseMs: config.retryBaseMs, signal: stopSignal.signal }).catch(
            () => undefined,
          );
        }
        // MongoDB went away mid-step: hand the lease back once it returns, so the step is taken up
        // again at once rather than after the lease expires.
        else if (isStorageUnavailable(err) && !stopping) {
          void untilStored(() => leases.finish(gen, {}), { logger, what: "the lease hand-back", retryBaseMs: config.retryBaseMs, signal: stopSignal.signal })
            .then(() => kick())
            .catch(() => undefined);
        }
      })
      .finally(() => {
        stopRenewing();
        leases.busy.delete(String(gen._id));
        controllers.delete(controller);
        controllers.delete(recording);
        active[kind]--;
        running.delete(task);
        stepsHere.delete(gen.short_id);
        // A recheck that waited for this very step (its task id was being recorded), or for a free check.
        // This step handed its generation back as submitted: claimed again at the epoch it left, with no query to find it.
        const left = handedBack.get(gen)?.phase === "submitted" ? gen : undefined;
        const own = rechecks.has(gen.short_id) ? { shortId: gen.short_id, taskId: rechecks.get(gen.short_id), left } : undefined;
        const next = kind === "submitted" ? rechecks.entries().next().value : undefined;
        const waiting = stopping ? undefined : (own ?? (next && { shortId: next[0], taskId: next[1], left: undefined }));
        if (waiting) {
          rechecks.delete(waiting.shortId);
          checkNow(waiting.shortId, waiting.taskId, waiting.left).catch((err: Error) => logger.warn({ generation: waiting.shortId, err: err.message }, "callback recheck failed; the poll asks later"));
        }
        // Anything else due now is claimed at once; work scheduled for later is found by the sweep,
        // and new work (a photo, a callback) wakes the worker itself.
        if (saturated.has(kind) || dueNow) {
          dueNow = false;
          kick();
        }
      });
    running.add(task);
  }

  async function claimEach(kind: Exclude<Kind, `queued:${LaneName}`>) {
    const cutoff = new Date(Date.now() - config.generationTimeoutMs);
    while (!stopping && active[kind] < CONCURRENCY[kind]) {
      const { gen, more } =
        kind === "expiring" ? await leases.claimNext(expiringFilter(cutoff), { ignoreSchedule: true }) : await leases.claimNext({ phase: kind });
      if (!gen) return void saturated.delete(kind);
      // Claimed as we were told to stop: hand it back as it was.
      if (stopping) return void (await leases.finish(gen, {}));
      run(kind, gen);
      // Nothing else was due a moment ago; whatever becomes due since wakes the worker again.
      if (!more) return void saturated.delete(kind);
    }
    if (!stopping) saturated.add(kind);
  }

  /**
   * Queued generations, into their lanes' submissions. One query a claim for all the lanes with room
   * (the queue's order, whichever lane): a lane at its limit is left out of the filter, so the other
   * lane's jobs are claimed past it and never wait behind it.
   */
  async function claimQueued() {
    const kinds = LANE_NAMES.map(queuedKind);
    for (;;) {
      const open = LANE_NAMES.filter((lane) => active[queuedKind(lane)] < CONCURRENCY[queuedKind(lane)]);
      if (stopping || open.length === 0) break;
      const filter = open.length === LANE_NAMES.length ? {} : { $or: open.map(laneFilter) };
      const { gen, more } = await leases.claimNext({ phase: "queued", ...filter }, { set: { phase: "submitting" }, inc: { submit_attempts: 1 } });
      if (!gen) return kinds.forEach((kind) => saturated.delete(kind));
      if (stopping) return void (await leases.finish(gen, { phase: "queued" }));
      run(queuedKind(laneOf(gen.model)), gen);
      if (!more) return kinds.forEach((kind) => saturated.delete(kind));
    }
    // A lane at its limit may have more waiting: the end of one of its steps looks again.
    if (!stopping) for (const kind of kinds) if (active[kind] >= CONCURRENCY[kind]) saturated.add(kind);
  }

  /** The pass under way, so stop() can wait for claims already on their way to MongoDB. */
  let currentPass: Promise<void> = Promise.resolve();
  function pump(): Promise<void> {
    if (stopping) return Promise.resolve();
    if (pumping) {
      pumpAgain = true;
      return currentPass;
    }
    pumping = true;
    currentPass = pass();
    return currentPass;
  }

  /**
   * One question per pass, "anything due?": the phases that hold claimable work now (expired
   * generations count under their phase). Only those are then claimed, phase by phase, so an idle
   * or busy-elsewhere pass costs one query instead of one per phase.
   */
  async function duePhases(): Promise<Set<string>> {
    const now = new Date();
    const phases = await deps.models.Generation.distinct("phase", {
      lease_until: { $lt: now },
      $or: [{ phase: { $in: WORK_PHASES }, next_run_at: { $lte: now } }, expiringFilter(new Date(Date.now() - config.generationTimeoutMs))],
    });
    return new Set(phases as string[]);
  }

  async function pass() {
    try {
      do {
        pumpAgain = false;
        const due = await duePhases();
        // Timeouts are a matter of minutes: the periodic sweep looks for them, a wake-up after each step need not.
        const expiryDue = sweepAsked;
        sweepAsked = false;
        if (expiryDue && (due.has("queued") || due.has("submitted"))) await claimEach("expiring");
        for (const phase of WORK_PHASES) {
          if (!due.has(phase)) continue;
          if (phase === "queued") await claimQueued();
          else await claimEach(phase);
        }
      } while (pumpAgain && !stopping);
    } catch (err) {
      logger.error({ err: (err as Error).message }, "worker pass failed; the next sweep retries");
    } finally {
      pumping = false;
    }
  }

  async function sweep() {
    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      await pruneClaims(deps.models).catch((err: Error) => logger.warn({ err: err.message }, "pruning claims failed"));
    }
    // Requests whose admitting process died between storing and admitting them.
    if (Date.now() - lastHeldCheck > config.leaseMs / 2) {
      lastHeldCheck = Date.now();
      await createAdmission(deps.models, config)
        .recoverHeld(HELD, config.leaseMs)
        .catch((err: Error) => logger.warn({ err: err.message }, "recovering held requests failed"));
    }
    sweepAsked = true;
    await pump();
  }

  function kick() {
    if (!stopping) void pump();
  }

  /**
   * A callback says something happened: confirm it with MiniMax now rather than at the next poll.
   * With every status check busy it waits in `rechecks` for the next one to end.
   */
  async function checkNow(shortId: string, adoptTaskId?: string, left?: Held) {
    if (stopping) return;
    if (active.submitted >= CONCURRENCY.submitted) {
      if (rechecks.size < MAX_WAITING_RECHECKS) rechecks.set(shortId, adoptTaskId);
      return;
    }
    const here = stepsHere.get(shortId);
    if (here && isSubmission(here.kind)) {
      // Our own submit step holds it (MiniMax was quick): a claim would find nothing. The check
      // runs once the step ends. Unless the step has stored the task id already, the one named here
      // is kept in MongoDB first, should this instance die before.
      if (rechecks.size < MAX_WAITING_RECHECKS) rechecks.set(shortId, adoptTaskId);
      if (adoptTaskId && !handedBack.get(here.gen)?.minimax_job_id) await noteTaskHint(deps.models, shortId, adoptTaskId);
      return;
    }
    const claimSubmitted = async () => {
      const filter = { short_id: shortId, phase: "submitted" as const };
      // Left at a known epoch a moment ago: taken by that epoch's key, or found by a query if another claim came first.
      const known = left && (await leases.claimKnown(left, filter, {}));
      return known || leases.claim(filter, { ignoreSchedule: true });
    };
    const claiming = claimSubmitted();
    pendingClaims.add(claiming);
    const gen = await claiming.finally(() => pendingClaims.delete(claiming));
    if (!gen) {
      // A task id the generation may not know yet (its create's answer was lost, or is still on the
      // wire, perhaps on another instance): kept in MongoDB for whoever checks the generation next.
      if (adoptTaskId) await noteTaskHint(deps.models, shortId, adoptTaskId);
      // Our own submit step took it since (a new generation): check once it ends. Otherwise the
      // generation is leased and its holder is asking MiniMax already, or it is done.
      if (isSubmission(stepsHere.get(shortId)?.kind) && rechecks.size < MAX_WAITING_RECHECKS) rechecks.set(shortId, adoptTaskId);
      return;
    }
    if (stopping) return void (await leases.finish(gen, {}));
    run("submitted", gen, (g, signal, recordSignal) => checkThenDeliver(g, signal, recordSignal, adoptTaskId));
  }

  return {
    kick,
    /**
     * A generation just admitted here: claimed by its id and first epoch, which saves the pass's
     * "anything due?" and its candidate query. Whatever stands in the way (no free submit step, a
     * claim lost to another instance) leaves it to an ordinary pass.
     */
    async takeNew(id: Types.ObjectId, model?: string) {
      const kind = queuedKind(laneOf(model));
      // Without its model its queue is unknown: an ordinary pass claims it in the right one.
      if (stopping || model === undefined || active[kind] >= CONCURRENCY[kind]) return kick();
      const claiming = leases.claimKnown({ _id: id, lease_epoch: 0 }, { phase: "queued" }, { set: { phase: "submitting" }, inc: { submit_attempts: 1 } });
      pendingClaims.add(claiming);
      const gen = await claiming.finally(() => pendingClaims.delete(claiming)).catch((err: Error) => {
        logger.warn({ err: err.message }, "claiming a new generation failed; the next pass takes it");
        return null;
      });
      if (!gen) return kick();
      if (stopping) return void (await leases.finish(gen, { phase: "queued" }));
      run(kind, gen);
    },
    checkNow,
    /** True while a submit step of this instance holds the generation. */
    submittingHere: (shortId: string) => isSubmission(stepsHere.get(shortId)?.kind),
    start() {
      stopping = false;
      sweepTimer = setInterval(() => void sweep(), config.sweepIntervalMs);
      void sweep();
    },
    /**
     * Stops claiming, lets work in flight finish until `timeoutMs`, then aborts it and hands back
     * every lease. Bounded however MongoDB behaves: a lease that cannot be handed back expires.
     */
    async stop(timeoutMs = config.shutdownTimeoutMs) {
      stopping = true;
      clearInterval(sweepTimer);
      const deadline = Date.now() + timeoutMs;
      const within = (work: Promise<unknown>, ms: number) =>
        Promise.race([work.then(() => false), new Promise<boolean>((r) => setTimeout(r, Math.max(0, ms), true).unref())]);
      // Claims already on the wire land first, so their leases are handed back below.
      let timedOut = await within(Promise.allSettled([currentPass, ...pendingClaims]), deadline - Date.now());
      if (!timedOut) timedOut = await within(Promise.allSettled([...running]), deadline - Date.now());
      stopSignal.abort();
      if (timedOut) {
        for (const c of controllers) c.abort();
        await within(Promise.allSettled([...running]), 500);
      }
      const released = await Promise.race([leases.releaseAll(), new Promise<number>((r) => setTimeout(r, 1_000, 0).unref())]).catch(() => 0);
      logger.info({ released, timedOut }, "generation worker stopped");
    },
  };
}
