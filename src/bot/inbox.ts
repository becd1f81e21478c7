import type { Update } from "grammy/types";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import { claimOnce } from "../generations/claims.js";
import { backoffMs, later } from "../generations/deps.js";
import { isPaymentUpdate, unwrapBotError } from "./redelivery.js";
import { isDuplicateKey } from "../db/errors.js";

/** An update that is not a payment is given up a day after it arrived, as Telegram gives up on its own. */
const GIVE_UP_AFTER_MS = 24 * 3600_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const BATCH = 20;
const PRUNE_EVERY_MS = 3600_000;
/**
 * How many generation leases an update's hold lasts. Its handler is alive in this process; another
 * instance taking the update over is for when this one died, so there is no hurry (and two handlings
 * at once, though harmless, are twice the work on a database that is slow already).
 */
const HOLD_LEASES = 5;

export interface InboxOptions {
  models: Models;
  logger: Logger;
  instanceId: string;
  leaseMs: number;
  retryBaseMs: number;
  sweepEveryMs: number;
  /** Runs the update through the bot; rejects only when the update must be handled again. */
  handle: (update: Update) => Promise<void>;
}

const errorText = (err: unknown) => {
  const e = unwrapBotError(err);
  return (e instanceof Error ? e.message : String(e)).slice(0, 300);
};

/**
 * Where an update goes when Telegram must be answered before the update is done: it is stored
 * first (one insert keyed by update_id), then acknowledged, then handled here until it is done, on
 * whichever instance gets to it. So an update is acknowledged only once its effect is stored or is
 * certain to be, and a slow database is not flooded by Telegram's redeliveries.
 *
 * The instance that stores an update holds it (a lease) while its first handling goes on; if that
 * fails, or the instance dies, the sweep of any instance takes it, each attempt claimed once by a
 * unique key, and runs it through the bot again. Every effect of an update is keyed (a photo by its
 * message, a payment by its charge id), so a second run after a half-done one adds nothing.
 */
export function createInbox(opts: InboxOptions) {
  const { models, logger, instanceId } = opts;
  const holdMs = opts.leaseMs * HOLD_LEASES;
  const { Inbox } = models;
  /** Updates this instance holds now: handed back at stop, so another instance need not wait. */
  const held = new Set<number>();
  const running = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let sweeping = false;
  let lastPrune = 0;

  const track = <T>(work: Promise<T>) => {
    running.add(work);
    void work.finally(() => running.delete(work)).catch(() => undefined);
    return work;
  };

  async function done(id: number) {
    held.delete(id);
    await Inbox.updateOne(
      { _id: id, state: "pending" },
      { $set: { state: "handled", handled_at: new Date() }, $unset: { update: 1, lease_owner: 1, last_error: 1 } },
    );
  }

  async function again(id: number, attempts: number, err: unknown) {
    held.delete(id);
    const delay = backoffMs(attempts + 1, opts.retryBaseMs, MAX_BACKOFF_MS);
    await Inbox.updateOne({ _id: id, state: "pending" }, { $set: { next_run_at: later(delay), lease_until: new Date(0), last_error: errorText(err) } });
    return delay;
  }

  /** Records how a handling ended; a record that cannot be written leaves the lease to expire. */
  async function settle(id: number, attempts: number, handling: Promise<void>) {
    try {
      await handling;
      await done(id);
      if (attempts > 0) logger.info({ update: id, attempt: attempts }, "update handled from the inbox");
    } catch (err) {
      let retryInMs: number | undefined;
      try {
        retryInMs = await again(id, attempts, err);
      } catch {
        // The database is away: the lease runs out and the sweep takes the update then.
      }
      logger.warn({ update: id, attempt: attempts, err: errorText(err), retryInMs }, "update failed after it was kept; it will be handled again");
    }
  }

  /** Takes one due update, if no other instance took this attempt, and handles it again. */
  async function retry(doc: { _id: number; attempts: number; payment: boolean; received_at: Date }) {
    const attempt = doc.attempts + 1;
    if (!(await claimOnce(models, `inbox:${doc._id}:${attempt}`, instanceId))) return;
    const now = Date.now();
    if (!doc.payment && now - doc.received_at.getTime() > GIVE_UP_AFTER_MS) {
      await Inbox.updateOne({ _id: doc._id, state: "pending" }, { $set: { state: "failed", handled_at: new Date() }, $unset: { update: 1 } });
      logger.error({ update: doc._id, attempts: doc.attempts }, "update given up after a day of failures");
      return;
    }
    const claimed = await Inbox.findOneAndUpdate(
      { _id: doc._id, state: "pending", attempts: doc.attempts },
      { $set: { attempts: attempt, lease_owner: instanceId, lease_until: new Date(now + holdMs), next_run_at: new Date(now + holdMs) } },
      { new: true },
    ).lean();
    if (!claimed?.update) return;
    held.add(doc._id);
    await settle(doc._id, attempt, opts.handle(claimed.update as Update));
  }

  async function sweep() {
    if (sweeping || stopped) return;
    sweeping = true;
    try {
      const now = new Date();
      const due = await Inbox.find({ state: "pending", next_run_at: { $lte: now }, lease_until: { $lt: now } })
        .sort({ _id: 1 })
        .limit(BATCH)
        .select("_id attempts payment received_at")
        .lean();
      // One at a time, oldest first: a chat's updates keep their order, and a slow database gets one more request, not twenty.
      for (const doc of due) {
        if (stopped) break;
        await retry(doc);
      }
      if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = Date.now();
        await Inbox.deleteMany({ state: { $in: ["handled", "failed"] }, received_at: { $lt: new Date(Date.now() - GIVE_UP_AFTER_MS) } });
      }
    } catch (err) {
      logger.warn({ err: errorText(err) }, "inbox sweep failed; the next one retries");
    } finally {
      sweeping = false;
    }
  }

  /** Stores `update` as pending with `fields`; false when a copy of it is stored already. */
  async function store(update: Update, fields: { lease_owner?: string; lease_until: Date; next_run_at: Date; last_error?: string }) {
    try {
      await Inbox.create({ _id: update.update_id, update, payment: isPaymentUpdate(update), ...fields });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  return {
    /**
     * Stores `update` before Telegram is answered, held by this instance while `handling` goes on;
     * then records how it ended. Resolves once stored (or found stored already); rejects when the
     * database cannot take it, and Telegram must be asked to send it again.
     */
    async keep(update: Update, handling: Promise<void>) {
      const until = later(holdMs);
      // An earlier copy of this update is kept already: it is handled from there.
      if (!(await store(update, { lease_owner: instanceId, lease_until: until, next_run_at: until }))) return;
      held.add(update.update_id);
      void track(settle(update.update_id, 0, handling));
    },

    /** Stores an update whose handling failed, to be handled again from here after a pause. */
    async defer(update: Update, err: unknown) {
      await store(update, { lease_until: new Date(0), next_run_at: later(backoffMs(1, opts.retryBaseMs, MAX_BACKOFF_MS)), last_error: errorText(err) });
    },

    start() {
      timer = setInterval(() => void track(sweep()), opts.sweepEveryMs);
      timer.unref();
    },

    /** Stops sweeping, waits up to `timeoutMs` for handlings in flight, and hands back what it still holds. */
    async stop(timeoutMs: number) {
      stopped = true;
      clearInterval(timer);
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      if (held.size === 0) return;
      await Inbox.updateMany({ _id: { $in: [...held] }, state: "pending", lease_owner: instanceId }, { $set: { lease_until: new Date(0), next_run_at: new Date() } }).catch(
        () => undefined,
      );
    },
  };
}
export type Inbox = ReturnType<typeof createInbox>;
