import type { Api } from "grammy";
import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { MiniMaxClient } from "../minimax/client.js";
import type { TelegramFiles } from "../telegram/files.js";
import type { Translate } from "../telegram/i18n.js";
import type { Metrics } from "../metrics.js";
import { isStorageUnavailable, isWriteLockBusy } from "../db/errors.js";

/** Everything the generation lifecycle needs from the outside world; main.ts and tests build it. */
export interface LifecycleDeps {
  config: Config;
  models: Models;
  minimax: MiniMaxClient;
  telegram: Api;
  files: TelegramFiles;
  t: Translate;
  logger: Logger;
  /** Unique per process: the owner name on leases. */
  instanceId: string;
  metrics?: Metrics;
}

/** Exponential backoff with a ceiling: 2 s, 4 s, 8 s … up to `maxMs`. */
export const backoffMs = (attempt: number, baseMs = 2_000, maxMs = 5 * 60_000) =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));

export const later = (ms: number) => new Date(Date.now() + ms);

/**
 * Writes an outcome that must not be lost (a task id or refusal from MiniMax, a message Telegram
 * took) however long MongoDB is away: a write that fails for want of the database is retried until
 * it lands. Only `signal` (the lease is gone, or a shutdown ran out of time) ends it early.
 */
export async function untilStored<T>(
  write: () => Promise<T>,
  opts: { logger: Logger; what: string; retryBaseMs: number; signal?: AbortSignal },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!(isStorageUnavailable(err) || isWriteLockBusy(err)) || opts.signal?.aborted) throw err;
      // At most a second apart: during the outage each try waits MONGODB_TIMEOUT_MS anyway, and once
      // MongoDB is back the outcome lands within a second.
      const delay = Math.min(1_000, opts.retryBaseMs * 2 ** (attempt - 1));
      opts.logger.warn({ err: (err as Error).message, attempt, retryInMs: delay }, `${opts.what} not recorded (MongoDB unavailable); retrying`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        opts.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
