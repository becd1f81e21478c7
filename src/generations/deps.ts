import type { Api } from "grammy";
import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { MiniMaxClient } from "../minimax/client.js";
import type { TelegramFiles } from "../bot/files.js";
import type { Translate } from "../bot/i18n.js";
import type { Metrics } from "../metrics.js";

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
