import type { Phase } from "../db/models.js";
import { createLeases, type GenerationDoc } from "./leases.js";
import { createSubmitRateLimit } from "./rate-limit.js";
import { recoverSubmit, submitGeneration } from "./submit.js";
import { checkStatus } from "./status.js";
import { deliverVideo, notifyFailure } from "./deliver.js";
import type { LifecycleDeps } from "./deps.js";

type Handler = (gen: GenerationDoc, signal: AbortSignal) => Promise<unknown>;

/** How many generations of each phase one instance works on at once. */
const CONCURRENCY: Record<Exclude<Phase, "delivered" | "failed">, number> = {
  queued: 5,
  submitting: 2,
  submitted: 8,
  delivering: 3,
  notifying: 4,
};

/**
 * Drives every generation to its end. All state is in MongoDB and every step starts with an
 * atomic claim, so any number of instances can run this side by side, and whatever a crashed
 * instance left half-done is picked up once its lease expires, by the periodic sweep or at start.
 */
export function createGenerationWorker(deps: LifecycleDeps) {
  const { config, models, logger } = deps;
  const leases = createLeases(models, deps.instanceId, config.leaseMs);
  const rateLimit = createSubmitRateLimit(models, config.minimaxRpm, config.minimaxRpmWindowMs);
  const active = { queued: 0, submitting: 0, submitted: 0, delivering: 0, notifying: 0 };
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let stopping = false;
  let pumping = false;
  let pumpAgain = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;

  const handlers: Record<keyof typeof active, Handler> = {
    queued: (gen) => submitGeneration(deps, leases, gen),
    submitting: (gen) => recoverSubmit(deps, leases, gen),
    submitted: (gen) => checkStatus(deps, leases, gen),
    delivering: (gen, signal) => deliverVideo(deps, leases, gen, signal),
    notifying: (gen) => notifyFailure(deps, leases, gen),
  };

  function run(phase: keyof typeof active, gen: GenerationDoc) {
    active[phase]++;
    const controller = new AbortController();
    controllers.add(controller);
    // Keep the lease alive during long uploads; losing it means another instance took over.
    const renewal = setInterval(() => {
      leases
        .renew(gen._id)
        .then((ours) => ours || controller.abort())
        .catch(() => undefined);
    }, Math.max(100, config.leaseMs / 3));
    const task = handlers[phase](gen, controller.signal)
      .then(() => undefined)
      .catch((err: Error) => logger.error({ generation: gen.short_id, phase, err: err.message }, "generation step failed"))
      .finally(() => {
        clearInterval(renewal);
        controllers.delete(controller);
        active[phase]--;
        running.delete(task);
        kick();
      });
    running.add(task);
  }

  async function claimEach(phase: Exclude<keyof typeof active, "queued">) {
    while (!stopping && active[phase] < CONCURRENCY[phase]) {
      const gen = await leases.claim(phase);
      if (!gen) return;
      run(phase, gen);
    }
  }

  async function claimSubmissions() {
    while (!stopping && active.queued < CONCURRENCY.queued) {
      const now = new Date();
      const ready = await models.Generation.exists({ phase: "queued", next_run_at: { $lte: now }, lease_until: { $lt: now } });
      if (!ready) return;
      if (!(await rateLimit.tryAcquire(now))) {
        const freeAt = await rateLimit.nextFreeAt();
        wakeAt(freeAt.getTime() - Date.now());
        return;
      }
      const gen = await leases.claim("queued", { set: { phase: "submitting" }, inc: { submit_attempts: 1 } });
      if (!gen) return; // another instance took it; the slot stays spent, which only errs on the safe side
      run("queued", gen);
    }
  }

  function wakeAt(delayMs: number) {
    if (wakeTimer || stopping) return;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      kick();
    }, Math.max(50, delayMs));
  }

  async function pump() {
    if (stopping) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        await claimEach("notifying");
        await claimEach("delivering");
        await claimEach("submitted");
        await claimEach("submitting"); // only ones whose owner died: live owners renew their lease
        await claimSubmissions();
      } while (pumpAgain && !stopping);
    } catch (err) {
      logger.error({ err: (err as Error).message }, "worker pass failed; the next sweep retries");
    } finally {
      pumping = false;
    }
  }

  /** Fails what waited longer than GENERATION_TIMEOUT_MIN; the user is then told by the notifier. */
  async function expireStale() {
    const now = new Date();
    const res = await models.Generation.updateMany(
      {
        phase: { $in: ["queued", "submitted"] },
        created_at: { $lt: new Date(now.getTime() - config.generationTimeoutMs) },
        lease_until: { $lt: now },
      },
      { $set: { phase: "notifying", minimax_status: "failed", error_code: "timeout", error_message: "timed out", next_run_at: now } },
    );
    if (res.modifiedCount) logger.warn({ count: res.modifiedCount }, "generations timed out");
  }

  async function sweep() {
    try {
      await expireStale();
    } catch (err) {
      logger.error({ err: (err as Error).message }, "timeout sweep failed");
    }
    await pump();
  }

  function kick() {
    if (!stopping) void pump();
  }

  return {
    leases,
    kick,
    sweep,
    start() {
      stopping = false;
      sweepTimer = setInterval(() => void sweep(), config.sweepIntervalMs);
      void sweep();
    },
    /** Stops claiming, lets work in flight finish until `timeoutMs`, then aborts it and hands back every lease. */
    async stop(timeoutMs = config.shutdownTimeoutMs) {
      stopping = true;
      clearInterval(sweepTimer);
      clearTimeout(wakeTimer);
      const settled = Promise.allSettled([...running]);
      const timedOut = await Promise.race([settled.then(() => false), new Promise<boolean>((r) => setTimeout(r, timeoutMs, true).unref())]);
      if (timedOut) {
        for (const c of controllers) c.abort();
        await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, 1_000).unref())]);
      }
      const released = await leases.releaseAll().catch(() => 0);
      logger.info({ released, timedOut }, "generation worker stopped");
    },
    get idle() {
      return running.size === 0;
    },
  };
}
export type GenerationWorker = ReturnType<typeof createGenerationWorker>;
