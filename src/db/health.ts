import type { Logger } from "../logger.js";
import type { Database } from "./connection.js";

export interface DatabaseWatchOptions {
  db: Pick<Database, "ping" | "probe" | "reopen">;
  logger: Logger;
  /** How often to look (the sweep interval: work resumes within one of them). */
  everyMs: number;
  /** How long the driver may fail while a fresh client gets through before the process gives up. */
  stuckExitMs: number;
  /** The database answers again after an outage. */
  onReconnected: () => void;
  /** The driver stayed broken although the server answers: the process should exit for its supervisor. */
  onStuck: (err: Error) => void;
}

/**
 * Watches the database through our own connection. It logs when MongoDB goes away and when it is
 * back ("MongoDB reconnected", then the worker is woken), and it tells a server that is down from a
 * driver that is stuck: while our pings fail, a brand-new client probes the server. If the server
 * answers the probe but not us, the driver's client is replaced once (the known cause: a heartbeat
 * written to a socket the server had just closed waits for a 'drain' that never comes, so the
 * driver's monitor never checks again); if that does not help within `stuckExitMs`, `onStuck`.
 */
export function watchDatabase(opts: DatabaseWatchOptions) {
  const { db, logger, everyMs, stuckExitMs } = opts;
  // Give the driver a fair chance to heal by itself (it re-checks every 0.5 s while queries wait).
  const replaceAfterMs = Math.max(2 * everyMs, Math.min(5_000, stuckExitMs / 4));
  let downSince: number | undefined;
  let stuckSince: number | undefined;
  let replaced = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function check() {
    const err = await db.ping();
    const now = Date.now();
    if (!err) {
      if (downSince !== undefined) {
        logger.info({ downForMs: now - downSince }, "MongoDB reconnected");
        downSince = stuckSince = undefined;
        replaced = false;
        opts.onReconnected();
      }
      return;
    }
    if (downSince === undefined) {
      downSince = now;
      logger.warn({ err: err.message }, "MongoDB unreachable: updates are answered 503 and work waits until it is back");
    }
    if (!(await db.probe())) {
      stuckSince = undefined; // the server itself is away: nothing to heal on our side
      return;
    }
    stuckSince ??= now;
    const stuckForMs = now - stuckSince;
    if (stuckForMs >= stuckExitMs) {
      logger.fatal({ err: err.message, stuckForMs }, "MongoDB answers a fresh connection but the driver stays broken: exiting so the supervisor restarts us");
      stop();
      opts.onStuck(new Error(`MongoDB driver stuck for ${Math.round(stuckForMs / 1000)} s`));
    } else if (!replaced && stuckForMs >= replaceAfterMs) {
      replaced = true;
      logger.warn({ err: err.message, stuckForMs }, "MongoDB answers a fresh connection but not ours: replacing the driver's client");
      await db.reopen().catch((e: Error) => logger.error({ err: e.message }, "replacing the MongoDB client failed"));
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      check()
        .catch((err: Error) => logger.error({ err: err.message }, "database health check failed"))
        .finally(schedule);
    }, everyMs);
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
  }

  schedule();
  return {
    stop,
    /** True while the last check found MongoDB away. */
    get down() {
      return downSince !== undefined;
    },
  };
}
